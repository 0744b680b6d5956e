"""Write the data of the crosstab goldens as ``make_golden.R`` reads them.

Run from ``tests/crosstab_golden``::

    ../../.venv/bin/python export_data.py

- ``crosstab_data.csv``: ``briefing_data.data()``, the hand-made data of
  ``tests/test_crosstab.py``;
- ``sample_crosstab.csv``: the kept rows of ``yl.load_sample()`` (design, raking and
  analysed columns);
- ``sample_margins.csv``: ``yl.load_margins(survey)`` in the tidy layout of
  ``population_margins.csv`` (``margin``, one column per weighting variable, ``population``).

Missing values are ``NA``, booleans ``TRUE``/``FALSE``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

import listening as yl

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from briefing_data import data  # noqa: E402

SAMPLE_COLUMNS = ["respondent_id", "district", "school", "age_band", "sex", "gender", "safe_dark"]


def as_text(raw: pd.DataFrame) -> pd.DataFrame:
    """Every column as plain strings, as written to the CSV files."""
    out = pd.DataFrame(index=raw.index)
    for column in raw.columns:
        values = raw[column].astype(object)
        if str(raw[column].dtype) == "boolean":
            values = values.map(lambda v: "NA" if pd.isna(v) else ("TRUE" if v else "FALSE"))
        out[column] = values.where(values.notna(), "NA").astype(str)
    return out.reset_index(drop=True)


def frames() -> dict[str, pd.DataFrame]:
    """The three files' contents, by file name."""
    survey = yl.load_sample()
    kept = survey.data
    columns = SAMPLE_COLUMNS + [c for c in kept.columns if str(c).startswith("worries__")]
    pieces = []
    for margin in yl.load_margins(survey):
        variables = [c for c in margin.columns if c != "population"]
        pieces.append(margin.assign(margin=" x ".join(variables)))
    margins = pd.concat(pieces, ignore_index=True)
    variables = [c for c in margins.columns if c not in ("margin", "population")]
    margins = margins[["margin", *variables, "population"]].astype(object)
    margins["population"] = margins["population"].map(lambda v: f"{v:.17g}")
    return {
        "crosstab_data.csv": as_text(data()),
        "sample_crosstab.csv": as_text(kept[columns]),
        "sample_margins.csv": as_text(margins),
    }


def export(folder: Path = HERE) -> list[Path]:
    """Write the files into ``folder``."""
    paths = []
    for name, frame in frames().items():
        frame.to_csv(folder / name, index=False, lineterminator="\n")
        paths.append(folder / name)
    return paths


if __name__ == "__main__":
    for path in export():
        print(f"wrote {path}")
