"""The files behind the explorer's download buttons: spreadsheet figures, PNG charts, briefings.

:func:`app_pages.shared.download_table` and :func:`app_pages.shared.download_chart` draw
the buttons; the files are made here, on click (or, for a briefing of several tables, in
the run that asks for it), in memory: nothing is written to disk.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from listening.explorer.sources import briefing_workbook

_NUMBER = re.compile(r"^-?[0-9][0-9,]*(\.[0-9]+)?$")


def spreadsheet_frame(shown: pd.DataFrame) -> pd.DataFrame:
    """A displayed table with its figures as numbers ("1,652" -> 1652), for a spreadsheet.

    Text that is not a plain number (``[c]``, "51.0 to 57.1", words) stays text.
    """

    def number(value: Any) -> Any:
        if isinstance(value, str) and _NUMBER.match(value.strip()):
            text = value.strip().replace(",", "")
            return float(text) if "." in text else int(text)
        return value

    return shown.apply(lambda column: column.map(number)).reset_index(drop=True)


@st.cache_resource(show_spinner=False)
def png_export_available() -> bool:
    """Whether kaleido and a Chrome or Chromium are there to make PNGs."""
    import importlib.util
    import shutil

    browsers = ("chromium", "chromium-browser", "google-chrome", "chrome")
    return importlib.util.find_spec("kaleido") is not None and (
        any(shutil.which(b) for b in browsers) or bool(os.environ.get("BROWSER_PATH"))
    )


PNG_TRIES = 3


def chart_png(fig: go.Figure) -> bytes:
    """The chart as PNG via kaleido (needs a Chrome or Chromium on the machine)."""
    if Path("/usr/bin/chromium").is_file():
        os.environ.setdefault("BROWSER_PATH", "/usr/bin/chromium")
    height = max(int(fig.layout.height or 500), 400)
    # kaleido starts a headless Chromium for every image; on a busy machine its page can
    # fail to load its own scripts ("kaleido_scopes is not defined"): try again then.
    for attempt in range(1, PNG_TRIES):
        try:
            return fig.to_image(format="png", width=1100, height=height)
        except Exception:
            time.sleep(attempt)
    return fig.to_image(format="png", width=1100, height=height)


def briefing_bytes(tables: Sequence[Any], targets: Sequence[pd.DataFrame] | None = None) -> bytes:
    """An Excel briefing workbook of ``tables``, made in memory, with the published targets."""
    return briefing_workbook(tables, targets)
