"""Every format reads back identically to the CSV: xlsx, sav (with value labels), parquet."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
import pytest
from test_ingest_support import CODEBOOK, dirty_rows, to_csv, valid_frame

from listening.ingest.survey import Survey, read_survey
from listening.paths import SAMPLE_DIR

SAMPLE = SAMPLE_DIR / "responses.csv"


def source_frame() -> pd.DataFrame:
    """Valid rows, a few dirty rows, and messy-valid cells, as strings."""
    frame = dirty_rows(valid_frame(40, seed=21))
    frame.loc[10, "district"] = CODEBOOK.districts["Fenland"]
    frame.loc[11, "school_year"] = "y10"
    frame.loc[12, "gender"] = "  girl "
    return frame


def natural_types(frame: pd.DataFrame) -> pd.DataFrame:
    """As a spreadsheet or pandas would type it: numbers as numbers, blanks missing."""
    typed = frame.replace("", np.nan)
    for column in typed.columns:
        converted = pd.to_numeric(typed[column], errors="coerce")
        if converted.notna().sum() == typed[column].notna().sum():
            typed[column] = converted
    return typed


def write_sav(frame: pd.DataFrame, path: Path) -> Path:
    """Single-choice questions as numeric codes 1..k with value labels where possible."""
    typed = natural_types(frame)
    labels: dict[str, dict[float, str]] = {}
    for q in CODEBOOK.of_type("single"):
        if q.name not in frame:
            continue
        values = frame[q.name]
        if not values[values != ""].isin(q.labels).all():
            continue
        codes = {label: float(i) for i, label in enumerate(q.labels, start=1)}
        typed[q.name] = values.map(codes)
        labels[q.name] = {code: label for label, code in codes.items()}
    for column in typed.columns:
        if typed[column].dtype == object:
            typed[column] = typed[column].fillna("")
    pyreadstat.write_sav(typed, str(path), variable_value_labels=labels)
    return path


def write(frame: pd.DataFrame, path: Path) -> Path:
    if path.suffix == ".xlsx":
        natural_types(frame).to_excel(path, index=False)
    elif path.suffix == ".parquet":
        natural_types(frame).to_parquet(path, index=False)
    elif path.suffix == ".sav":
        write_sav(frame, path)
    else:
        to_csv(frame, path)
    return path


def assert_same(survey: Survey, reference: Survey) -> None:
    assert survey.n_read == reference.n_read
    pd.testing.assert_frame_equal(survey.data, reference.data)
    pd.testing.assert_frame_equal(
        survey.rejected[["row", "reason"]], reference.rejected[["row", "reason"]]
    )
    assert survey.report().reasons.equals(reference.report().reasons)
    assert survey.report().nonresponse.equals(reference.report().nonresponse)


@pytest.mark.parametrize("suffix", [".xlsx", ".sav", ".parquet"])
def test_format_reads_like_csv(tmp_path, suffix):
    frame = source_frame()
    reference = read_survey(write(frame, tmp_path / "survey.csv"), CODEBOOK)
    assert len(reference.rejected) == 7
    survey = read_survey(write(frame, tmp_path / f"survey{suffix}"), CODEBOOK)
    assert_same(survey, reference)


def test_sav_value_labels_are_used(tmp_path):
    frame = valid_frame(20, seed=22)
    path = write_sav(frame, tmp_path / "labels.sav")
    stored, meta = pyreadstat.read_sav(str(path))
    assert stored["safe_dark"].dtype.kind == "f" and "safe_dark" in meta.variable_value_labels
    survey = read_survey(path, CODEBOOK)
    reference = read_survey(to_csv(frame, tmp_path / "labels.csv"), CODEBOOK)
    assert_same(survey, reference)


def test_sav_value_label_outside_options_is_rejected(tmp_path):
    frame = natural_types(valid_frame(4, seed=23))
    frame["trusted_adult"] = [1.0, 2.0, 9.0, 1.0]
    path = tmp_path / "odd.sav"
    labels = {"trusted_adult": {1.0: "Yes", 2.0: "No", 9.0: "Refused"}}
    pyreadstat.write_sav(frame.fillna(""), str(path), variable_value_labels=labels)
    survey = read_survey(path, CODEBOOK)
    assert survey.data["trusted_adult"].astype(str).tolist() == ["Yes", "No", "Yes"]
    reason = survey.rejected["reason"].iloc[0]
    assert survey.rejected["row"].tolist() == [3]
    assert "trusted_adult: 'Refused' is not an option" in reason


@pytest.mark.skipif(not SAMPLE.exists(), reason="sample_data/responses.csv not generated yet")
@pytest.mark.parametrize("suffix", [".xlsx", ".sav", ".parquet"])
def test_sample_round_trips(tmp_path, suffix):
    frame = pd.read_csv(SAMPLE, dtype=str, keep_default_na=False)
    reference = read_survey(SAMPLE, CODEBOOK)
    survey = read_survey(write(frame, tmp_path / f"sample{suffix}"), CODEBOOK)
    assert_same(survey, reference)
