"""Write the bundled sample and its margins as ``make_golden.R`` reads them.

Run from ``tests/golden`` before ``Rscript make_golden.R``::

    ../../.venv/bin/python export_sample.py

``sample_kept.csv`` holds the kept rows of ``yl.load_sample()`` (the design and
analysed columns, in the order of ``survey.data``); ``sample_margins.csv`` holds
``yl.load_margins(survey)`` in the tidy layout of ``population_margins.csv``
(``margin``, one column per weighting variable, ``population``). R and Python
then work on the same rows. Missing values are written as ``NA``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

import listening as yl

HERE = Path(__file__).resolve().parent
DESIGN_COLUMNS = ["respondent_id", "district", "school", "age_band", "sex"]
SAFETY_PREFIX = "safe_"


def sample_frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    """The kept rows and the margins, as the CSV files hold them."""
    survey = yl.load_sample()
    data = survey.data
    columns = DESIGN_COLUMNS + [c for c in data.columns if str(c).startswith(SAFETY_PREFIX)]
    kept = pd.DataFrame(
        {c: data[c].astype(object).where(data[c].notna(), None) for c in columns}
    ).reset_index(drop=True)
    pieces = []
    for margin in yl.load_margins(survey):
        variables = [c for c in margin.columns if c != "population"]
        pieces.append(margin.assign(margin=" x ".join(variables)))
    margins = pd.concat(pieces, ignore_index=True)
    variables = [c for c in margins.columns if c not in ("margin", "population")]
    margins = margins[["margin", *variables, "population"]]
    return kept, margins


def export(folder: Path = HERE) -> tuple[Path, Path]:
    """Write ``sample_kept.csv`` and ``sample_margins.csv`` into ``folder``."""
    kept, margins = sample_frames()
    paths = folder / "sample_kept.csv", folder / "sample_margins.csv"
    kept.to_csv(paths[0], index=False, na_rep="NA", lineterminator="\n")
    margins.to_csv(paths[1], index=False, na_rep="NA", lineterminator="\n")
    return paths


if __name__ == "__main__":
    for path in export(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE):
        print(f"wrote {path}")
