"""What a reader takes from the explorer in AppTest: the tables shown and the files downloaded.

The pages make their CSV and Excel files only when a button is clicked
(Streamlit's deferred downloads), or in the run after a "Make" button.
:func:`recording_downloads` keeps each button's file maker (or file) as
Streamlit registers it, and :func:`downloads` runs the makers of the buttons
on the page now, so a test reads the same bytes a visitor's click would give.
"""

from __future__ import annotations

import io
import re
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from app_pages import settings
from listening.publish.published import PublishedTable, read_workbook

APP = Path(__file__).resolve().parents[1] / "app.py"
TABLE_FILES = ("-csv", "-xlsx")
"""Endings of the keys of the table download buttons (``shared.download_table``)."""


def offer(monkeypatch, min_base: int) -> None:
    """Let the sidebar offer ``min_base`` too, for this test: a base above those it offers,
    so that the sample hides whole districts."""
    monkeypatch.setattr(settings, "MIN_BASES", (*settings.MIN_BASES, min_base))


def run(page: str | None = None, min_base: int | None = None) -> AppTest:
    """The app (on ``page``, with the sidebar's minimum base set), checked to run cleanly."""
    at = AppTest.from_file(str(APP), default_timeout=600)
    at.run()
    if min_base is not None:
        at.selectbox(key="min_base").set_value(min_base).run()
    if page is not None:
        at.switch_page(page).run()
    no_exception(at)
    return at


def no_exception(at: AppTest) -> None:
    assert not at.exception, [e.message for e in at.exception]
    assert not at.main.error, [e.value for e in at.main.error]


def recording_downloads(monkeypatch) -> dict[str, Callable[[], bytes]]:
    """Keep every download's file maker: a deferred one by the file id its button
    carries, a file made in the run (bytes) by its URL."""
    makers: dict[str, Callable[[], bytes]] = {}
    deferred, static = MediaFileManager.add_deferred, MediaFileManager.add

    def add_deferred(self, data_callable, *args, **kwargs):
        file_id = deferred(self, data_callable, *args, **kwargs)
        makers[file_id] = data_callable
        return file_id

    def add(self, path_or_data, *args, **kwargs):
        url = static(self, path_or_data, *args, **kwargs)
        if isinstance(path_or_data, bytes):
            makers[url] = lambda: path_or_data
        return url

    monkeypatch.setattr(MediaFileManager, "add_deferred", add_deferred)
    monkeypatch.setattr(MediaFileManager, "add", add)
    return makers


def make_briefing(at: AppTest, key: str) -> AppTest:
    """Click the table's "Make the briefing" button if it has one (a briefing made in
    the run, then offered for download)."""
    for button in at.button:
        if str(button.key) == f"{key}-make":
            button.click().run()
            no_exception(at)
    return at


def downloads(
    at: AppTest, makers: dict[str, Callable[[], bytes]], endings: tuple[str, ...] = TABLE_FILES
) -> dict[str, bytes]:
    """The bytes of every download on the page now whose button key ends in one of
    ``endings`` (default: the tables' CSV and Excel files), by button key."""
    out = {}
    for button in at.get("download_button"):
        key = str(button.key)
        if not key.endswith(endings):
            continue
        file_id = button.proto.deferred_file_id or button.proto.url
        assert file_id in makers, f"the download {key!r} was not made on this run"
        data = makers[file_id]()
        out[key] = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    return out


def csv_table(data: bytes) -> pd.DataFrame:
    """A downloaded CSV, every cell as text."""
    return pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)


def excel_sheets(data: bytes) -> dict[str, pd.DataFrame]:
    """A downloaded Excel file's sheets, every cell as text, no header row taken."""
    assert zipfile.is_zipfile(io.BytesIO(data)), "not an Excel (xlsx) file"
    sheets = pd.read_excel(io.BytesIO(data), sheet_name=None, header=None, dtype=str)
    return {name: frame.fillna("") for name, frame in sheets.items()}


def excel_table(data: bytes, first_column: str) -> pd.DataFrame:
    """The table of a downloaded Excel file whose header row starts with ``first_column``."""
    for frame in excel_sheets(data).values():
        starts = frame.index[frame.iloc[:, 0] == first_column]
        if len(starts):
            start = starts[0]
            header = [str(c) for c in frame.iloc[start]]
            body = frame.iloc[start + 1 :].reset_index(drop=True)
            body.columns = header
            body = body.loc[:, [c for c in header if c]]
            return body[body.iloc[:, 0] != ""].reset_index(drop=True)
    raise AssertionError(f"no table starting with {first_column!r} in the workbook")


def briefing_tables(data: bytes) -> list[PublishedTable]:
    """The tables of a downloaded briefing workbook, as a reader sees them ([] for the
    workbook of a plain displayed table)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "download.xlsx"
        path.write_bytes(data)
        return read_workbook(path)


def figure(value: object) -> object:
    """A cell as a reader takes it: a number ("1,652", 1652.0 -> 1652.0), else its text."""
    text = str(value).strip()
    try:
        return float(text.replace(",", ""))
    except ValueError:
        return text


def figure_numbers(fig) -> np.ndarray:
    """Every number a plotly figure carries in its traces and annotations, decimals in
    its text included (what a reader of the chart, or of its HTML file, can take)."""
    found: list[float] = []

    def walk(value: object) -> None:
        if isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list | tuple | np.ndarray):
            for item in np.ravel(np.asarray(value, dtype=object)):
                walk(item)
        elif isinstance(value, int | float | np.number) and not isinstance(value, bool):
            found.append(float(value))
        elif isinstance(value, str):
            found.extend(float(x) for x in re.findall(r"\d+\.\d+", value))

    walk(fig.to_plotly_json()["data"])
    walk([a.text for a in fig.layout.annotations])
    return np.asarray(found)
