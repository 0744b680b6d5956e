"""Write the two bundled waves and their margins as ``make_golden_change.R`` reads them.

Run from ``tests/golden`` before ``Rscript make_golden_change.R``::

    ../../.venv/bin/python export_change.py

``change_after.csv`` and ``change_before.csv`` hold the kept rows of
``yl.load_sample()`` (2025) and ``yl.load_sample_2024()`` (the design columns
and the compared questions, each wave in its own questionnaire's names and
labels: R applies the harmonisation itself); ``change_margins_after.csv`` and
``change_margins_before.csv`` hold ``yl.load_margins(survey)`` of each wave in
the tidy layout of ``population_margins.csv``. Missing values are ``NA``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

import listening as yl

HERE = Path(__file__).resolve().parent
DESIGN_COLUMNS = ["respondent_id", "district", "school", "age_band", "sex"]
#: The questions compared, by wave: (after name, before name).
QUESTIONS = {
    "after": ["safe_dark", "seen_knife", "trusted_adult", "good_places"],
    "before": ["safe_dark", "seen_knife", "trusted_adult", "places_to_go"],
}


def wave_frames(wave: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A wave's kept rows and margins, as the CSV files hold them."""
    survey = yl.load_sample() if wave == "after" else yl.load_sample_2024()
    data = survey.data
    columns = DESIGN_COLUMNS + QUESTIONS[wave]
    kept = pd.DataFrame(
        {c: data[c].astype(object).where(data[c].notna(), None) for c in columns}
    ).reset_index(drop=True)
    pieces = []
    for margin in yl.load_margins(survey):
        variables = [c for c in margin.columns if c != "population"]
        pieces.append(margin.assign(margin=" x ".join(variables)))
    margins = pd.concat(pieces, ignore_index=True)
    variables = [c for c in margins.columns if c not in ("margin", "population")]
    return kept, margins[["margin", *variables, "population"]]


def export(folder: Path = HERE) -> list[Path]:
    """Write the four CSV files into ``folder``."""
    paths = []
    for wave in ("after", "before"):
        kept, margins = wave_frames(wave)
        for frame, name in ((kept, f"change_{wave}.csv"), (margins, f"change_margins_{wave}.csv")):
            frame.to_csv(folder / name, index=False, na_rep="NA", lineterminator="\n")
            paths.append(folder / name)
    return paths


if __name__ == "__main__":
    for path in export(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE):
        print(f"wrote {path}")
