"""Shared builders for the ingest tests: valid survey frames in the export layout.

The frames follow the layout of ``sample_data/responses.csv``: one delimited
column for ``worries``, one 0/1 column per option for ``safer_options``.
They are built from the codebook, so no expected value is hard-coded here.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pandas as pd

from listening.ingest.codebook import Codebook, load_codebook

CODEBOOK: Codebook = load_codebook()
DELIMITED = "worries"


def valid_frame(n: int, seed: int = 0, codebook: Codebook = CODEBOOK) -> pd.DataFrame:
    """``n`` valid respondents as strings; every answer (missing codes too) drawn at random."""
    rng = np.random.default_rng(seed)
    columns: dict[str, list[str]] = {}
    for q in codebook.questions.values():
        if q.name == codebook.id_column:
            columns[q.name] = [f"YL{i:05d}" for i in range(1, n + 1)]
        elif q.name == codebook.consent_column:
            columns[q.name] = [codebook.consent_value] * n
        elif q.name == codebook.age_column:
            columns[q.name] = [
                str(a) for a in rng.integers(codebook.age_min, codebook.age_max + 1, n)
            ]
        elif q.type == "id":  # schools (clusters) nested in districts (strata)
            areas = columns.get(codebook.district_column, ["SCH"] * n)
            columns[q.name] = [
                f"{a[:3].upper()}{k:02d}" for a, k in zip(areas, rng.integers(1, 5, n), strict=True)
            ]
        elif q.type == "single":
            columns[q.name] = list(rng.choice(q.labels, n))
        elif q.type == "text":
            columns[q.name] = list(rng.choice(["", "More street lights", "police, please"], n))
        elif q.name == DELIMITED:
            columns[q.name] = [_ticks(q.options, q.exclusive, rng) for _ in range(n)]
        else:
            ticks = rng.random((n, len(q.options))) < 0.3
            for j, column in enumerate(q.option_columns.values()):
                columns[column] = ["1" if t else "0" for t in ticks[:, j]]
    return pd.DataFrame(columns)


def _ticks(options: tuple[str, ...], exclusive: tuple[str, ...], rng: np.random.Generator) -> str:
    roll = rng.random()
    if roll < 0.15:
        return ""
    if roll < 0.25 and exclusive:
        return exclusive[0]
    others = [o for o in options if o not in exclusive]
    chosen = [o for o in others if rng.random() < 0.3] or [others[0]]
    return "; ".join(chosen)


def to_csv(
    frame: pd.DataFrame, path: Path, *, encoding: str = "utf-8", newline: str = "\n"
) -> Path:
    """Write a frame of strings as CSV with the given encoding and line ending."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=newline)
    writer.writerow(frame.columns)
    writer.writerows(frame.itertuples(index=False))
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def dirty_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """The valid frame with one rule broken in each of a few rows (positions 1-7)."""
    dirty = frame.copy()
    dirty.loc[1, "age"] = "10"
    dirty.loc[2, "age"] = "19"
    dirty.loc[3, "consent"] = "No"
    dirty.loc[4, "respondent_id"] = dirty.loc[0, "respondent_id"]
    dirty.loc[5, "district"] = "Fenlnd"
    dirty.loc[6, :] = ""
    dirty.loc[7, "safe_dark"] = "Scary"
    return dirty
