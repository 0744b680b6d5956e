"""The table every reader fills, and the survey file it reads from.

:class:`RawTable` holds a survey file as strings: the header as written, and
per column the distinct cell values once each (``uniques``) with a code per
row (``codes``). :class:`SurveyInput` is the file to read, on disk or in
memory, with the name its messages use.

Examples
--------
>>> table = RawTable.from_columns(Path("x.csv"), ["id", "age"], [["A1", "A2"], [14.0, None]])
>>> table.column(1).tolist()
['14', '']
"""

from __future__ import annotations

import datetime as dt
import io
import math
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd
import pyarrow as pa

from listening.errors import IngestError
from listening.ingest.limits import IngestLimits

SUPPORTED = (".csv", ".xlsx", ".sav", ".parquet")
#: What a survey is read from: a path, or the file's bytes, or a binary file object.
Source = str | os.PathLike[str] | bytes | bytearray | memoryview | IO[bytes]


@dataclass
class RawTable:
    """A survey file as strings, one entry per data row, nothing dropped.

    Attributes
    ----------
    source : Path
        The file read.
    names : list of str
        Column names as in the header (surrounding whitespace removed; an empty
        name becomes ``unnamed_<position>``).
    codes : list of numpy.ndarray
        Per column, an integer code per row into ``uniques``.
    uniques : list of numpy.ndarray
        Per column, the distinct cell values as ``str`` (object array; no
        value appears twice).
    n_rows : int
        Data rows read (the header excluded).
    value_labels : dict of str to dict
        SPSS value labels per column, keyed by the value as a string.
    malformed : dict of int to str
        Rows (0-based positions) that could not be split into the header's
        columns, with what was wrong; their cells hold what could be read.
    encoding : str
        The text encoding used (``""`` for binary formats).

    Examples
    --------
    >>> table = RawTable.from_columns(Path("x.csv"), ["a"], [["1", ""]])
    >>> table.column(0).tolist()
    ['1', '']
    """

    source: Path
    names: list[str]
    codes: list[np.ndarray]
    uniques: list[np.ndarray]
    n_rows: int
    value_labels: dict[str, dict[str, str]] = field(default_factory=dict)
    malformed: dict[int, str] = field(default_factory=dict)
    encoding: str = ""

    @classmethod
    def from_columns(
        cls,
        source: Path,
        names: Sequence[Any],
        columns: Sequence[Sequence[Any]],
        **kwargs: Any,
    ) -> RawTable:
        """Build a table from a header and columns of cell values of any type.

        Examples
        --------
        >>> table = RawTable.from_columns(Path("x.sav"), ["age"], [[14.0, float("nan")]])
        >>> table.column(0).tolist()
        ['14', '']
        """
        encoded = [encode(pd.Series(values, dtype=object)) for values in columns]
        n_rows = len(encoded[0][0]) if encoded else 0
        return cls(
            source,
            clean_names(names, source),
            [c for c, _ in encoded],
            [u for _, u in encoded],
            n_rows,
            **kwargs,
        )

    def column(self, position: int) -> np.ndarray:
        """The cell values of one column, as an object array of ``str``.

        Examples
        --------
        >>> RawTable.from_columns(Path("x.csv"), ["a"], [["x", "y", "x"]]).column(0).tolist()
        ['x', 'y', 'x']
        """
        return self.uniques[position][self.codes[position]]


@dataclass(frozen=True)
class SurveyInput:
    """A survey file on disk (``path``) or in memory (``data``), named ``label`` in messages.

    Build one with :meth:`of`, which checks the extension, the size and that the
    file exists.

    Examples
    --------
    >>> from listening.ingest.limits import DEFAULT_LIMITS
    >>> given = SurveyInput.of(b"id\\nA1\\n", "up.csv", DEFAULT_LIMITS)
    >>> given.label, given.head(2)
    (PosixPath('up.csv'), b'id')
    """

    label: Path
    path: Path | None = None
    data: bytes | None = None

    @classmethod
    def of(cls, source: Any, name: str | None, limits: IngestLimits) -> SurveyInput:
        if isinstance(source, str | os.PathLike):
            file = Path(source)
            label = Path(name) if name else file
            _check_suffix(label)
            if not file.is_file():
                raise IngestError(
                    f"Survey file {file} does not exist; check the path (relative paths start "
                    f"from {Path.cwd()})."
                )
            size = file.stat().st_size
            given = cls(label, path=file)
        else:
            label = Path(Path(name).name if name else "(unnamed upload)")
            _check_suffix(label)
            data = _bytes_of(source, label, limits)
            size = len(data)
            given = cls(label, data=data)
        if size == 0:
            raise IngestError(
                f"Survey file {label} is empty (0 bytes); export the responses again."
            )
        if size > limits.max_bytes:
            raise limits.refuse(label, f"is {size:,} bytes", "max_bytes")
        return given

    def head(self, size: int) -> bytes:
        if self.data is not None:
            return self.data[:size]
        with self.path.open("rb") as handle:  # type: ignore[union-attr]
            return handle.read(size)

    def content(self) -> bytes:
        return self.data if self.data is not None else self.path.read_bytes()  # type: ignore[union-attr]

    def arrow(self) -> str | pa.BufferReader:
        """For pyarrow: the path, or a zero-copy reader over the bytes."""
        return pa.BufferReader(self.data) if self.data is not None else str(self.path)

    def binary(self) -> Path | io.BytesIO:
        """For zipfile and openpyxl: the path, or a file object over the bytes."""
        return io.BytesIO(self.data) if self.data is not None else self.path  # type: ignore[return-value]

    @contextmanager
    def on_path(self) -> Iterator[str]:
        """A path to the file; bytes in memory become an anonymous in-memory file (Linux)."""
        if self.data is None:
            yield str(self.path)
            return
        if not hasattr(os, "memfd_create"):
            raise IngestError(
                f"Survey file {self.label}: an SPSS file in memory can only be read on Linux; "
                "pass its path instead, or save the survey as CSV."
            )
        descriptor = os.memfd_create(self.label.name or "survey")
        try:
            view = memoryview(self.data)
            while view:
                view = view[os.write(descriptor, view) :]
            yield f"/proc/self/fd/{descriptor}"
        finally:
            os.close(descriptor)


def _check_suffix(label: Path) -> None:
    if label.suffix.lower() not in SUPPORTED:
        raise IngestError(
            f"Cannot read {label}: the extension {label.suffix or '(none)'!r} is not supported; "
            f"save the survey as one of {', '.join(SUPPORTED)} (for a file in memory, pass "
            "name='survey.csv' or the like)."
        )


def _bytes_of(source: Any, label: Path, limits: IngestLimits) -> bytes:
    if isinstance(source, bytes | bytearray | memoryview):
        return bytes(source)
    if callable(getattr(source, "read", None)):
        data = source.read(limits.max_bytes + 1)
        if isinstance(data, bytes | bytearray | memoryview):
            return bytes(data)
        raise IngestError(
            f"Survey file {label}: the file object gave {type(data).__name__}, not bytes; "
            "open the file in binary mode ('rb')."
        )
    raise IngestError(
        f"Cannot read a survey from a {type(source).__name__}; pass the path of a file, its "
        "bytes, or a binary file object, with name='survey.csv' (or .xlsx, .sav, .parquet)."
    )


def encode(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Codes and distinct string values of one column of any type.

    Each distinct value is turned into text once: missing values become
    ``""``, whole floats lose their ``.0``, dates use ISO format.

    Examples
    --------
    >>> codes, uniques = encode(pd.Series([1.0, None, 2.5, 1.0]))
    >>> uniques[codes].tolist()
    ['1', '', '2.5', '1']
    """
    try:
        codes, found = pd.factorize(values, use_na_sentinel=True)
    except TypeError:  # unhashable cells (lists, arrays): compare them as text
        codes, found = pd.factorize(np.array([as_text(v) for v in values], dtype=object))
    texts = np.array([as_text(v) for v in found] + [""], dtype=object)
    codes = np.where(codes < 0, len(found), codes)
    inverse, uniques = pd.factorize(texts)
    return inverse[codes].astype(np.int64), np.asarray(uniques, dtype=object)


def as_text(value: Any) -> str:
    """Write one cell value as a person would type it.

    Examples
    --------
    >>> [as_text(v) for v in (14.0, 2.5, None, True, "Yes")]
    ['14', '2.5', '', 'True', 'Yes']
    """
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, bool | np.bool_):
        return str(bool(value))
    if isinstance(value, float | np.floating):
        number = float(value)
        if math.isnan(number):
            return ""
        return str(int(number)) if number.is_integer() else repr(number)
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return str(value)


def clean_names(names: Sequence[Any], source: Path) -> list[str]:
    cleaned = [
        " ".join(as_text(name).split()) or f"unnamed_{position}"
        for position, name in enumerate(names, start=1)
    ]
    seen: dict[str, int] = {}
    for position, name in enumerate(cleaned, start=1):
        if name.casefold() in seen:
            raise IngestError(
                f"Survey file {source}: the column {name!r} appears twice in the header "
                f"(columns {seen[name.casefold()]} and {position}); rename or remove one."
            )
        seen[name.casefold()] = position
    return cleaned


def drop_empty_unnamed(table: RawTable) -> RawTable:
    """Drop columns with no header and no values (trailing commas, spreadsheet padding)."""
    keep = [
        i
        for i, name in enumerate(table.names)
        if not name.startswith("unnamed_")
        or any(u.strip() for u in table.uniques[i][np.unique(table.codes[i])])
    ]
    table.names = [table.names[i] for i in keep]
    table.codes = [table.codes[i] for i in keep]
    table.uniques = [table.uniques[i] for i in keep]
    return table
