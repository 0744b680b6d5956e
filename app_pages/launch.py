"""Start the explorer ready for its first visitor: ``python -m app_pages.launch [flags]``.

``make app`` and ``make serve`` start the server through this launcher. Before
the server listens, it imports the heavy modules (pandas, plotly, scipy,
highspy, ...), reads, validates and rakes the bundled sample and makes the
Overview's figures with the sidebar's defaults, in this process, so Streamlit's
process-wide caches already hold them; then it runs Streamlit's own command line
in the same process, as ``streamlit run app.py`` with ``flags`` (every flag
passed on unchanged). The server takes traffic (its health check answers, a
visitor's page is served) only once warm, about 3 s after the start on an idle
machine; with ``LISTENING_WARM_UP`` set the first page then starts the warm-up
of the other pages (:func:`app_pages.warm_up.warm_sample_publications`).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from app_pages.settings import INTERVALS, MIN_BASE

APP = Path(__file__).resolve().parents[1] / "app.py"
# Outside a running server Streamlit warns that caches and spinners have no session.
QUIET = (
    "streamlit.runtime.caching.cache_data_api",
    "streamlit.runtime.scriptrunner_utils.script_run_context",
)


@contextmanager
def without_session_warnings() -> Iterator[None]:
    """Silence Streamlit's warnings that caches and spinners have no session, within."""
    import streamlit  # noqa: F401  (its modules set their loggers' levels when imported)

    loggers = [logging.getLogger(name) for name in QUIET]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def warm() -> None:
    """Fill the process-wide caches with what the Overview shows first.

    The same calls as the page's (same arguments), so the page's first run
    finds them cached.
    """
    with without_session_warnings():
        from app_pages import shared  # the heavy imports: pandas, plotly, scipy, highspy

        source = shared.load_sample_source()
        county = shared.headlines(
            source.key, source.raked is not None, next(iter(INTERVALS)), MIN_BASE
        )
        shared.view(source.key, shared.headline_chart, county)


def main(flags: Sequence[str] | None = None) -> None:
    """Warm up (:func:`warm`), then run ``streamlit run app.py`` with ``flags`` (the
    command line's by default) in this process."""
    flags = list(sys.argv[1:] if flags is None else flags)
    warm()
    from streamlit.web import cli

    sys.argv = ["streamlit", "run", str(APP), *flags]
    cli.main(prog_name="streamlit")


if __name__ == "__main__":
    main()
