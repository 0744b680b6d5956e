# `make app` sets everything up and opens the explorer on the bundled sample;
# `make serve` hosts it for a team, behind sign-in (docs/deploy.md);
# `make test` sets everything up and runs every test (lint, unit, R goldens,
# notebooks, doctests, the app in AppTest and in headless Chromium).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8501
ADDRESS ?= localhost
# axe-core checks every page of the explorer in the browser test (WCAG 2.2 AA);
# npm installs this pinned version under .cache/ (git-ignored); the test reads
# the version from here and checks it is the one installed.
AXE_VERSION := 4.14.1
AXE_DIR := .cache/axe

.PHONY: app serve test lint setup browser axe bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --upgrade pip
	$(BIN)/python -m pip install -e ".[dev]"
	touch $(STAMP)

setup: $(STAMP)

# Debian's Chromium drives the browser tests (Playwright never downloads a browser);
# Debian's nginx checks the shipped reverse-proxy configuration (deploy/nginx).
browser:
	@{ command -v chromium && command -v openssl && { command -v nginx || test -x /usr/sbin/nginx; }; } \
		>/dev/null 2>&1 || { \
		echo "Installing Debian chromium and nginx for the browser and deployment tests"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq \
			chromium fonts-dejavu-core nginx-light openssl; }

axe:
	@grep -qs '"version": "$(AXE_VERSION)"' $(AXE_DIR)/node_modules/axe-core/package.json || { \
		command -v npm >/dev/null 2>&1 || { \
			echo "Installing Debian npm for axe-core (the browser test's accessibility checker)"; \
			SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
			$$SUDO apt-get update -qq && \
			DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq npm; }; \
		npm install --prefix $(AXE_DIR) --no-audit --no-fund --no-save axe-core@$(AXE_VERSION); }

# app_pages/launch.py loads the sample and the Overview's figures, then runs `streamlit
# run app.py` with these flags in the same process: the server takes traffic once warm.
app: setup
	LISTENING_WARM_UP=1 $(BIN)/python -m app_pages.launch --server.headless true \
		--server.address $(ADDRESS) --server.port $(PORT) --browser.gatherUsageStats false

# Hosting: a network address (ADDRESS=127.0.0.1 behind the nginx proxy in deploy/),
# refused unless sign-in and the allow-list are configured in .streamlit/secrets.toml;
# visitors never see error details; no usage statistics; XSRF protection on.
serve: ADDRESS = 0.0.0.0
serve: setup
	$(BIN)/python -m listening.explorer.access .streamlit/secrets.toml
	LISTENING_WARM_UP=1 $(BIN)/python -m app_pages.launch --server.headless true --server.address $(ADDRESS) \
		--server.port $(PORT) --browser.gatherUsageStats false \
		--client.showErrorDetails none --client.toolbarMode viewer \
		--server.enableXsrfProtection true --server.enableCORS true \
		--server.fileWatcherType none --server.runOnSave false \
		--global.developmentMode false

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: setup browser axe lint
	$(BIN)/python -m pytest -n 2 --dist loadfile tests
	$(BIN)/python -m pytest --doctest-modules listening -q
	$(BIN)/python -m pytest --nbmake notebooks -q

bench: setup
	$(BIN)/python benchmarks/ingest.py
	$(BIN)/python benchmarks/estimate.py
	$(BIN)/python benchmarks/app.py

clean:
	rm -rf $(VENV) .cache .pytest_cache .ruff_cache .hypothesis tests/artifacts
