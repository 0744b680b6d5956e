"""Fuzzing read_survey: nothing is ever lost, only ListeningError escapes, valid rows stay kept."""

from __future__ import annotations

import csv
import io
import os
import tempfile
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from test_ingest_support import CODEBOOK, to_csv, valid_frame

from listening.errors import IngestError, ListeningError
from listening.ingest.readers import RawTable, _csv_exact, _csv_fast
from listening.ingest.survey import Survey, read_survey

# A modest default keeps the suite fast; INGEST_FUZZ_EXAMPLES=1000 for a deeper search.
FUZZ = settings(
    max_examples=int(os.environ.get("INGEST_FUZZ_EXAMPLES", "40")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
COLUMNS = list(valid_frame(1).columns)
REQUIRED = {*CODEBOOK.required_columns, *CODEBOOK.question("safer_options").option_columns.values()}
BAD_VALUES = [
    "10",
    "19",
    "14.5",
    "No",
    "",
    "  ",
    "Fenlnd",
    "Alien",
    "None of these; Gangs",
    "maybe",
]
# Characters every fuzzed encoding (UTF-8, cp1252, Latin-1) can write, NUL excepted.
CHARS = st.characters(
    min_codepoint=1, max_codepoint=255, exclude_characters=[chr(c) for c in range(0x7F, 0xA0)]
)
CELL = st.one_of(st.sampled_from(BAD_VALUES), st.text(CHARS, max_size=12))
NOISE = st.text(
    st.characters(
        min_codepoint=1,
        max_codepoint=255,
        exclude_characters=['"', "\r", "\n", *(chr(c) for c in range(0x7F, 0xA0))],
    ),
    max_size=60,
)


def check_invariant(survey: Survey) -> None:
    assert survey.n_read == len(survey.data) + len(survey.rejected)
    rows = sorted([*survey.data.index, *survey.rejected["row"]])
    assert rows == list(range(1, survey.n_read + 1))
    assert survey.rejected["reason"].str.len().gt(0).all()


def read_bytes(content: bytes, suffix: str, codebook=CODEBOOK) -> Survey | None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"fuzz{suffix}"
        path.write_bytes(content)
        try:
            survey = read_survey(path, codebook)
        except ListeningError as err:
            assert path.name in str(err)
            return None
    check_invariant(survey)
    return survey


@FUZZ
@given(
    st.binary(max_size=3000),
    st.sampled_from([".csv", ".xlsx", ".sav", ".parquet"]),
    st.booleans(),
)
def test_random_bytes_raise_only_listening_errors(content, suffix, with_codebook):
    survey = read_bytes(content, suffix, CODEBOOK if with_codebook else None)
    event("raised" if survey is None else "read")


@FUZZ
@given(st.binary(max_size=3000), st.booleans())
def test_random_bytes_after_a_valid_header(content, with_codebook):
    header = ",".join(COLUMNS).encode() + b"\n"
    survey = read_bytes(header + content, ".csv", CODEBOOK if with_codebook else None)
    event("raised" if survey is None else f"read, {min(survey.n_read, 3)}+ rows")


@st.composite
def damaged_surveys(draw):
    n = draw(st.integers(1, 12))
    frame = valid_frame(n, seed=draw(st.integers(0, 10_000)))
    dropped = draw(st.sets(st.sampled_from(COLUMNS), max_size=2))
    edits = draw(
        st.lists(st.tuples(st.integers(0, n - 1), st.sampled_from(COLUMNS), CELL), max_size=5)
    )
    noise = draw(st.lists(st.tuples(st.integers(0, n), NOISE), max_size=3))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "latin-1"]))
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    return frame, dropped, edits, noise, encoding, newline


def write_damaged(frame, edits, noise, encoding, newline, path: Path) -> Path:
    damaged = frame.copy()
    for row, column, value in edits:
        if column in damaged:
            damaged.loc[row, column] = value
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=newline)
    writer.writerow(damaged.columns)
    lines = []
    for record in damaged.itertuples(index=False):
        line = io.StringIO()
        csv.writer(line, lineterminator="\r\n").writerow(record)  # quotes cells with \r or \n
        lines.append(line.getvalue().removesuffix("\r\n"))
    for position, text in sorted(noise, key=lambda item: -item[0]):
        lines.insert(position, text)
    path.write_bytes((buffer.getvalue() + newline.join(lines) + newline).encode(encoding))
    return path


@FUZZ
@given(damaged_surveys())
def test_damaged_files_lose_nothing_and_keep_valid_rows(case):
    frame, dropped, edits, noise, encoding, newline = case
    frame = frame.drop(columns=list(dropped))
    with tempfile.TemporaryDirectory() as folder:
        path = write_damaged(frame, edits, noise, encoding, newline, Path(folder) / "d.csv")
        try:
            survey = read_survey(path, CODEBOOK)
        except IngestError as err:
            event("required column dropped")
            assert dropped & REQUIRED, err
            assert "d.csv" in str(err)
            return
        clean = read_survey(to_csv(frame, Path(folder) / "clean.csv"), CODEBOOK)
    assert not dropped & REQUIRED
    event(f"rejected {min(len(survey.rejected), 3)}+ rows")
    check_invariant(survey)
    assert survey.n_read == len(frame) + len(noise)
    touched = {row for row, column, _ in edits if column in frame}
    untouched = frame.drop(index=list(touched))["respondent_id"].tolist()
    kept = survey.data.set_index("respondent_id")
    assert set(untouched) <= set(kept.index), survey.rejected[["row", "reason"]]
    expected = clean.data.set_index("respondent_id").loc[untouched]
    pd.testing.assert_frame_equal(kept.loc[untouched], expected)


@FUZZ
@given(
    st.integers(1, 4).flatmap(
        lambda width: st.lists(
            st.lists(st.text(CHARS, max_size=8), min_size=width, max_size=width),
            min_size=1,
            max_size=8,
        )
    ),
    st.sampled_from(["\n", "\r\n", "\r"]),
)
def test_fast_and_exact_csv_parsers_agree(rows, newline):
    names = [f"col{i}" for i in range(len(rows[0]))]
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator=newline).writerows([names, *rows])
    text = buffer.getvalue()
    fast = _csv_fast(pa.BufferReader(text.encode("utf-8")), names, Path("x.csv"))
    exact = _csv_exact(text, names, Path("x.csv"))
    event(f"fast parser {'declined' if fast is None else 'used'}")
    if fast is None:  # Arrow could not split a row: the exact parser is used instead
        return
    assert fast.n_rows == exact.n_rows
    assert [fast.column(i).tolist() for i in range(len(names))] == [
        exact.column(i).tolist() for i in range(len(names))
    ]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".sav", ".parquet"])
def test_tiny_garbage_files(suffix):
    for content in (b"\x00", b"\xff\xfe", b'"', b",,,\n,,,\n", b"PK\x03\x04"):
        read_bytes(content, suffix)


def test_exact_path_is_used_for_ragged_rows():
    table = _csv_exact("a,b\n1\n1,2,3\n", ["a", "b"], Path("x.csv"))
    assert isinstance(table, RawTable) and sorted(table.malformed) == [0, 1]
