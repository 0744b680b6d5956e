"""Write the hand-made briefing test data as ``make_golden.R`` reads it.

Run from ``tests/crosstab_golden``::

    ../../.venv/bin/python export_data.py

``crosstab_data.csv`` holds ``briefing_data.data()`` (the data of
``tests/test_crosstab.py``), missing values as ``NA``, booleans as ``TRUE``/``FALSE``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from briefing_data import data  # noqa: E402


def frame() -> pd.DataFrame:
    """The data as plain strings, as written to the CSV."""
    raw = data()
    out = pd.DataFrame(index=raw.index)
    for column in raw.columns:
        values = raw[column].astype(object)
        if str(raw[column].dtype) == "boolean":
            values = values.map(lambda v: "NA" if pd.isna(v) else ("TRUE" if v else "FALSE"))
        out[column] = values.where(values.notna(), "NA").astype(str)
    return out


def export(folder: Path = HERE) -> Path:
    """Write ``crosstab_data.csv`` into ``folder``."""
    path = folder / "crosstab_data.csv"
    frame().to_csv(path, index=False, lineterminator="\n")
    return path


if __name__ == "__main__":
    print(f"wrote {export()}")
