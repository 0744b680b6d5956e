"""IngestLimits: a file over any cap is refused naming that cap; a file within them reads
as it does with the defaults, from disk or from memory."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pyreadstat
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from test_ingest_support import CODEBOOK, valid_frame

import listening as yl
from listening.errors import IngestError
from listening.ingest.limits import DEFAULT_LIMITS, UPLOAD_LIMITS, IngestLimits
from listening.ingest.readers import read_table
from listening.ingest.survey import read_survey


def write(frame: pd.DataFrame, suffix: str, folder: Path) -> Path:
    path = folder / f"limits{suffix}"
    if suffix == ".csv":
        frame.to_csv(path, index=False)
    elif suffix == ".xlsx":
        frame.to_excel(path, index=False)
    elif suffix == ".parquet":
        frame.to_parquet(path, index=False)
    else:
        pyreadstat.write_sav(frame, str(path))
    return path


def exceeded(frame: pd.DataFrame, size: int, limits: IngestLimits) -> set[str]:
    """The caps this table of strings passes, worked out from the frame itself."""
    rows, columns = frame.shape
    longest = max((len(v) for v in frame.to_numpy().ravel()), default=0)
    found = {
        "max_bytes": size > limits.max_bytes,
        "max_rows": rows > limits.max_rows,
        "max_columns": columns > limits.max_columns,
        "max_cells": rows * columns > limits.max_cells,
        "max_cell_chars": longest > limits.max_cell_chars,
    }
    return {name for name, over in found.items() if over}


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    n=st.integers(1, 30),
    suffix=st.sampled_from([".csv", ".xlsx", ".parquet", ".sav"]),
    caps=st.fixed_dictionaries(
        {  # each cap is tight a quarter of the time, else the default
            name: st.one_of(st.none(), st.none(), st.none(), tight)
            for name, tight in {
                "max_rows": st.integers(1, 40),
                "max_columns": st.integers(20, 40),
                "max_cells": st.integers(200, 1200),
                "max_cell_chars": st.integers(10, 80),
                "max_bytes": st.integers(2_000, 30_000),
            }.items()
        }
    ),
    in_memory=st.booleans(),
)
def test_over_a_cap_is_refused_by_name_within_them_reads_the_same(
    tmp_path, n, suffix, caps, in_memory
):
    frame = valid_frame(n, seed=n)
    path = write(frame, suffix, tmp_path)
    limits = IngestLimits(**{name: cap for name, cap in caps.items() if cap is not None})
    over = exceeded(frame, path.stat().st_size, limits)
    source = path.read_bytes() if in_memory else path
    try:
        table = read_table(source, limits=limits, name=path.name)
    except IngestError as err:
        event(f"refused ({len(over)} caps passed)")
        assert over, err
        assert any(f"limit {cap}=" in str(err) for cap in over), (over, str(err))
        assert path.name in str(err)
        return
    event("read")
    assert not over, f"{over} passed but {path.name} was read"
    reference = read_table(path)
    assert table.names == reference.names
    assert [table.column(i).tolist() for i in range(len(table.names))] == [
        reference.column(i).tolist() for i in range(len(reference.names))
    ]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".parquet", ".sav"])
@pytest.mark.parametrize("mode", ["bytes", "file object"])
def test_a_file_in_memory_reads_as_from_disk(tmp_path, suffix, mode):
    path = write(valid_frame(25, seed=3), suffix, tmp_path)
    data = path.read_bytes()
    source = data if mode == "bytes" else io.BytesIO(data)
    survey = read_survey(source, CODEBOOK, limits=UPLOAD_LIMITS, name=f"upload{suffix}")
    reference = read_survey(path, CODEBOOK)
    assert survey.source == Path(f"upload{suffix}")
    pd.testing.assert_frame_equal(survey.data, reference.data)
    assert survey.rejected["reason"].tolist() == reference.rejected["reason"].tolist()


def test_an_spss_file_in_memory_is_not_written_to_disk(tmp_path, monkeypatch):
    import builtins
    import os

    data = write(valid_frame(10, seed=4), ".sav", tmp_path).read_bytes()
    written: list[str] = []
    real_open, real_os_open = builtins.open, os.open

    def recording_open(file, mode="r", *args, **kwargs):
        if any(flag in mode for flag in "wax+"):
            written.append(str(file))
        return real_open(file, mode, *args, **kwargs)

    def recording_os_open(file, flags, *args, **kwargs):
        if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
            written.append(str(file))
        return real_os_open(file, flags, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", recording_open)
    monkeypatch.setattr(os, "open", recording_os_open)
    survey = read_survey(data, CODEBOOK, name="upload.sav")
    assert len(survey.data) + len(survey.rejected) == 10
    assert written == []


@pytest.mark.parametrize(
    ("source", "name", "message"),
    [
        (b"id\nA1\n", None, "name='survey.csv'"),
        (io.StringIO("id\nA1\n"), "x.csv", "binary mode"),
        (12, "x.csv", "pass the path of a file, its bytes"),
        (b"", "x.csv", "empty"),
    ],
)
def test_unusable_in_memory_sources_say_how_to_fix(source, name, message):
    with pytest.raises(IngestError, match=message):
        read_survey(source, name=name)


def test_limits_are_public_and_checked():
    assert yl.IngestLimits is IngestLimits and yl.UPLOAD_LIMITS is UPLOAD_LIMITS
    assert yl.DEFAULT_LIMITS is DEFAULT_LIMITS
    for field in ("max_bytes", "max_rows", "max_cells", "max_xml_bytes", "max_unpacked_bytes"):
        assert getattr(UPLOAD_LIMITS, field) < getattr(DEFAULT_LIMITS, field)
    assert UPLOAD_LIMITS.max_bytes == 50 * 2**20
    with pytest.raises(ValueError, match="max_cells"):
        IngestLimits(max_cells=-1)
