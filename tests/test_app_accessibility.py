"""Plain words in the explorer (AppTest): the accessibility page, upload problems, "Unweighted".

The browser checks (axe-core, contrast, focus, phones, offline) are in
``tests/test_browser.py``.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from listening.paths import SAMPLE_DIR

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
ACCESSIBILITY = "app_pages/accessibility.py"
WEIGHTING_PAGES = {
    "app_pages/explore.py": "explore_unweighted",
    "app_pages/map.py": "map_unweighted",
    "app_pages/safer.py": "safer_unweighted",
}


def _app() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def _upload(at: AppTest, survey: bytes, codebook: bytes) -> AppTest:
    at.radio(key="data_source").set_value("Upload a survey").run()
    at.file_uploader(key="upload_survey").set_value(("mine.csv", survey, "text/csv"))
    at.file_uploader(key="upload_codebook").set_value(("book.yaml", codebook, "text/yaml"))
    return at.run()


@pytest.fixture(scope="module")
def statement() -> AppTest:
    return _app().switch_page(ACCESSIBILITY).run()


def test_the_statement_has_what_the_regulations_ask(statement):
    assert not statement.exception
    assert [t.value for t in statement.title] == ["Accessibility statement"]
    headers = [h.value for h in statement.main.header]
    for needed in (
        "How accessible this explorer is",
        "Problems we know about",
        "Report a problem or ask for another format",
        "How we tested this explorer",
        "Words used here",
    ):
        assert needed in headers
    text = " ".join(m.value for m in statement.main.markdown)
    assert "partially compliant" in text and "WCAG" in text
    assert re.search(r"prepared on \d{1,2} \w+ \d{4}", text)
    # each Streamlit limitation names its upstream record
    links = re.findall(r"github\.com/streamlit/streamlit/(?:issues|pull)/(\d+)", text)
    assert len(set(links)) >= 4, links


def test_the_statement_names_the_axe_version_the_makefile_pins(statement):
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    pinned = re.search(r"^AXE_VERSION := (\S+)$", makefile, re.MULTILINE).group(1)
    text = " ".join(m.value for m in statement.main.markdown)
    assert f"axe-core {pinned}" in text


def test_the_glossary_explains_the_words_the_pages_use(statement):
    glossary = statement.main.markdown[-1].value  # the list under "Words used here"
    terms = re.findall(r"^- \*\*(.+?)\*\*: ", glossary, re.MULTILINE)
    for term in ("Weighted base", "Rao-Scott test", "Kish effective base"):
        assert term in terms
    for term in ("Weighting, raking", "Coefficient of variation", "[c]", "[u]", "[z]"):
        assert term in terms
    assert "Don't know and prefer-not-to-say answers are left out" in glossary


def test_an_upload_without_margins_shows_unweighted_on_every_page():
    survey = (SAMPLE_DIR / "responses.csv").read_bytes()
    at = _upload(_app(), survey, (SAMPLE_DIR / "codebook.yaml").read_bytes())
    assert not at.exception
    for page, key in WEIGHTING_PAGES.items():
        at.switch_page(page).run()
        assert not at.exception, (page, [e.message for e in at.exception])
        radio = at.radio(key=key)
        assert radio.value == "Unweighted" and radio.options == ["Unweighted"], page
        assert not radio.disabled  # a disabled label is too faint (3:1) to read
        assert not [r for r in at.radio if r.key == key.replace("unweighted", "weighting")]
    at.switch_page("app_pages/who_took_part.py").run()
    assert not at.exception
    shares = [d.value for d in at.dataframe if "Population %" in d.value.columns]
    assert shares, "Who took part shows no population shares"
    for frame in shares:  # no population figure: said in words, not as if hidden
        assert set(frame["Population %"]) == {"Not available"}


def test_upload_problems_show_at_the_top_of_the_page_without_paths():
    """A broken codebook: what is wrong, on which line, how to fix it, at the top of the
    page; and no page goes on with the sample's figures as if they were the upload's."""
    book = b"questions:\n  - name: a\n    type: single\n   bad: x\n"
    at = _upload(_app(), b"respondent_id,age\nA1,12\n", book)
    assert not at.exception
    title, top = at.main.children[0], at.main.children[1]
    assert title.type == "title" and "cannot be used" in title.value
    text = html.unescape(top.value)  # escape_markdown writes punctuation as entities
    assert top.type == "error" and text.startswith("Codebook book.yaml is not valid YAML")
    assert "line 4" in text and "Check that line" in text
    assert "Bundled sample" in text  # how to get back to the sample
    assert not re.search(r"(/tmp/|/var/|[A-Z]:\\\\|\.venv|site-packages)", text), text
    assert not re.search(r"<unicode string>|<block|\^|in memory", text), text
    # Nothing of the sample's: no figure, table or chart on the page, none in the sidebar.
    assert not at.metric and not at.dataframe and not at.get("plotly_chart")
    assert not any("young people kept" in c.value for c in at.sidebar.caption)
    # The same on every other page of the session.
    for page in ("app_pages/map.py", "app_pages/who_took_part.py"):
        at.switch_page(page).run()
        assert at.main.children[0].value == title.value
        assert not at.dataframe and not at.get("plotly_chart")


def test_waiting_for_an_upload_shows_no_sample_figures():
    at = _app()
    at.radio(key="data_source").set_value("Upload a survey").run()
    assert not at.exception
    assert at.title[0].value == "Upload your survey"
    assert not at.metric and not at.dataframe and not at.get("plotly_chart")


def test_the_statement_names_the_deployments_contact():
    """``[accessibility]`` in the secrets (docs/deploy.md) puts the team's own details in."""
    at = AppTest.from_file(APP, default_timeout=180)
    at.secrets["accessibility"] = {"team": "The research team", "email": "research@example.org"}
    at.run()
    at.switch_page(ACCESSIBILITY).run()
    assert not at.exception
    text = html.unescape(" ".join(m.value for m in at.main.markdown)).replace("\u2060", "")
    assert (
        "contact The research team, the team that runs this explorer: email "
        "research@example.org. Tell us" in text
    )


def test_without_contact_details_the_statement_says_whom_to_ask(statement):
    text = " ".join(m.value for m in statement.main.markdown)
    assert "the person who gave you access" in text
    assert "The research team" not in text  # control for the test above
