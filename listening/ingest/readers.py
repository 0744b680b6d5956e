"""Read survey files into a loss-free table of strings, within :class:`IngestLimits`.

Every supported format (.csv, .xlsx, .sav, .parquet) is read into a
:class:`RawTable`: the header as written, and per column the cell values as
strings stored once each (``uniques``) with a code per row (``codes``), so
validation can normalise each distinct value once. Blank cells are ``""``;
numbers are written as a person would type them (``14`` not ``14.0``).

A file is read from a path or from memory (``bytes`` or a binary file object,
with ``name`` giving the format): nothing in memory is ever written to disk.
What a file declares is checked before it is read (an .xlsx's part sizes and
compression ratios, a Parquet file's row groups, an SPSS header's row count),
and reading stops as soon as a cap of the :class:`IngestLimits` is passed.

Examples
--------
>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "tiny.csv").write_text("id,age\\nA1,14\\nA2, 15\\n")
>>> table = read_table(folder / "tiny.csv")
>>> table.names, table.n_rows
(['id', 'age'], 2)
>>> table.column(1).tolist()
['14', ' 15']
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import math
import os
import re
import zipfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from listening.errors import IngestError
from listening.ingest.limits import DEFAULT_LIMITS, IngestLimits

SUPPORTED = (".csv", ".xlsx", ".sav", ".parquet")
#: What :func:`read_table` reads: a path, or the file's bytes, or a binary file object.
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
            _clean_names(names, source),
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


def read_table(
    source: Source, *, limits: IngestLimits = DEFAULT_LIMITS, name: str | None = None
) -> RawTable:
    """Read a survey file of any supported format as strings.

    Parameters
    ----------
    source : str, Path, bytes or binary file object
        A ``.csv``, ``.xlsx``, ``.sav`` or ``.parquet`` file: its path, or its
        content in memory (then ``name`` is needed). Content in memory is never
        written to disk (an SPSS file is handed to its reader as an anonymous
        in-memory file, on Linux).
    limits : IngestLimits, optional
        Caps on the file's size, rows, columns and cells (default:
        :data:`~listening.ingest.limits.DEFAULT_LIMITS`).
    name : str, optional
        The file name, e.g. ``"upload.xlsx"``: its extension gives the format
        and messages name it. Default: the path.

    Returns
    -------
    RawTable

    Raises
    ------
    IngestError
        If the file is missing, empty, of an unsupported type, unreadable or
        over a limit; the message names the file, the limit and how to fix it.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> file = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = file.write_bytes("id,name\\r\\n1,Zo\\xeb\\r\\n".encode("cp1252"))
    >>> table = read_table(file)
    >>> table.column(1).tolist(), table.encoding
    (['Zoë'], 'cp1252')
    >>> read_table(b"id,age\\nA1,14\\n", name="upload.csv").column(1).tolist()
    ['14']
    >>> read_table(b"id\\nA1\\nA2\\n", name="big.csv", limits=IngestLimits(max_rows=1))
    Traceback (most recent call last):
    ...
    listening.errors.IngestError: Survey file big.csv has 2 data rows, over the limit \
max_rows=1; split the file or remove what is not needed, or read it with a larger limit: \
read_survey(..., limits=IngestLimits(max_rows=...)).
    """
    given = _Input.of(source, name, limits)
    readers: dict[str, Callable[[_Input, IngestLimits], RawTable]] = {
        ".csv": _read_csv,
        ".xlsx": _read_xlsx,
        ".sav": _read_sav,
        ".parquet": _read_parquet,
    }
    table = readers[given.label.suffix.lower()](given, limits)
    if table.n_rows == 0:
        raise IngestError(
            f"Survey file {given.label} has a header but no data rows; export the responses again."
        )
    _check_extent(table, limits)
    return table


@dataclass(frozen=True)
class _Input:
    """A survey file on disk (``path``) or in memory (``data``), named ``label`` in messages."""

    label: Path
    path: Path | None = None
    data: bytes | None = None

    @classmethod
    def of(cls, source: Any, name: str | None, limits: IngestLimits) -> _Input:
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
            with open(descriptor, "wb", closefd=False) as handle:
                handle.write(self.data)
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


def _check_extent(table: RawTable, limits: IngestLimits) -> None:
    """Refuse a table over the row, column, cell or cell-size caps."""
    width = len(table.names)
    if width > limits.max_columns:
        raise limits.refuse(table.source, f"has {width:,} columns", "max_columns")
    if table.n_rows > limits.max_rows:
        raise limits.refuse(table.source, f"has {table.n_rows:,} data rows", "max_rows")
    if table.n_rows * width > limits.max_cells:
        raise limits.refuse(
            table.source,
            f"has {table.n_rows:,} data rows by {width:,} columns = {table.n_rows * width:,} cells",
            "max_cells",
        )
    total = 0
    for position, (codes, uniques) in enumerate(zip(table.codes, table.uniques, strict=True)):
        sizes = np.fromiter(map(len, uniques), dtype=np.int64, count=len(uniques))
        if len(sizes) and sizes.max() > limits.max_cell_chars:
            code = int(np.argmax(sizes))
            row = int(np.argmax(codes == code)) + 1
            raise limits.refuse(
                table.source,
                f"has a cell of {int(sizes[code]):,} characters (column "
                f"{table.names[position]!r}, data row {row})",
                "max_cell_chars",
            )
        total += int(sizes[codes].sum()) if len(sizes) else 0
    if total > limits.max_unpacked_bytes:  # one answer repeated in every row adds up
        raise limits.refuse(
            table.source, f"holds {total:,} characters of text in all", "max_unpacked_bytes"
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


def _clean_names(names: Sequence[Any], source: Path) -> list[str]:
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


def _drop_empty_unnamed(table: RawTable) -> RawTable:
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


# --- CSV -------------------------------------------------------------------


def _decode(raw: bytes) -> tuple[str, str]:
    """Decode as UTF-8 (BOM or not), else Windows-1252, else Latin-1 (never fails)."""
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding), encoding.removesuffix("-sig")
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1"), "latin-1"


def _read_csv(given: _Input, limits: IngestLimits) -> RawTable:
    """Arrow reads a UTF-8 file straight from disk or memory; anything else is decoded first.

    Only when the header cannot be taken from the file's first 64 KiB as UTF-8,
    or Arrow finds a ragged row or a byte that is not UTF-8, is the whole file
    decoded in Python (UTF-8, Windows-1252, then Latin-1) and parsed again.
    """
    file = given.label
    start = given.head(_PREFIX)
    header = _utf8_header(start, complete=len(start) < _PREFIX)
    if header is not None:
        table = _csv_fast(given.arrow(), _names(header, file, limits), file)
        if table is not None:
            table.encoding = "utf-8"
            return _drop_empty_unnamed(table)
    text, encoding = _decode(given.content())
    if not re.search(r"\S", text):
        raise IngestError(f"Survey file {file} is empty (only blank lines); export it again.")
    names = _names(_first_row(text, file), file, limits)
    table = None
    if encoding != "utf-8" and _one_line(names):
        table = _csv_fast(pa.BufferReader(text.encode("utf-8")), names, file)
    if table is None:
        table = _csv_exact(text, names, file, limits)
    table.encoding = encoding
    return _drop_empty_unnamed(table)


_PREFIX = 1 << 16
_HEADER_CHARS = 4 << 20


def _first_row(text: str, file: Path) -> list[str]:
    """The header, which must end within the first 4 Mi characters."""
    prefix = text[:_HEADER_CHARS]
    try:
        rows = csv.reader(io.StringIO(prefix, newline=""))
        header = next(rows, [])
        complete = len(prefix) == len(text) or next(rows, None) is not None
    except csv.Error as err:
        raise IngestError(
            f"Survey file {file}: the header line cannot be read as CSV ({err}); "
            "save the survey as comma-separated values."
        ) from None
    if not complete:
        raise IngestError(
            f"Survey file {file}: the header (the first line) is longer than "
            f"{_HEADER_CHARS:,} characters; check that the file is comma-separated values "
            "with the column names on line 1."
        )
    return header


def _utf8_header(start: bytes, *, complete: bool) -> list[str] | None:
    """The header from the first bytes, or None if they are not UTF-8 or hold no full header."""
    try:
        text = codecs.getincrementaldecoder("utf-8-sig")().decode(start, final=complete)
        rows = csv.reader(io.StringIO(text, newline=""))
        header = next(rows, [])
        if not complete and next(rows, None) is None:
            return None
    except (UnicodeDecodeError, csv.Error):
        return None
    return header if _one_line(header) and any(h.strip() for h in header) else None


def _one_line(header: list[str]) -> bool:
    return not any("\n" in h or "\r" in h for h in header)


def _names(header: list[str], file: Path, limits: IngestLimits) -> list[str]:
    if not any(h.strip() for h in header):
        raise IngestError(
            f"Survey file {file}: the first line is blank; the column names must be on line 1."
        )
    if len(header) > limits.max_columns:
        raise limits.refuse(file, f"has {len(header):,} columns in its header", "max_columns")
    return _clean_names(header, file)


def _csv_fast(source: str | pa.BufferReader, names: list[str], file: Path) -> RawTable | None:
    """Parse with Arrow's multi-threaded reader; None if a row is ragged or not UTF-8."""
    ragged: list[str] = []

    def on_bad_row(row: Any) -> str:
        ragged.append(row.text)
        return "skip"

    keys = [f"c{i}" for i in range(len(names))]
    as_dict = pa.dictionary(pa.int32(), pa.string())
    try:
        arrow = pa_csv.read_csv(
            source,
            read_options=pa_csv.ReadOptions(column_names=keys, skip_rows=1),
            parse_options=pa_csv.ParseOptions(
                ignore_empty_lines=False, newlines_in_values=True, invalid_row_handler=on_bad_row
            ),
            convert_options=pa_csv.ConvertOptions(
                column_types=dict.fromkeys(keys, as_dict),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
                null_values=[],
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    if ragged:
        return None
    arrow = arrow.unify_dictionaries()
    codes, uniques = [], []
    for key in keys:
        chunks = arrow.column(key).chunks
        if chunks:
            codes.append(np.concatenate([c.indices.to_numpy() for c in chunks]))
            uniques.append(chunks[0].dictionary.to_numpy(zero_copy_only=False))
        else:
            codes.append(np.zeros(0, dtype=np.int32))
            uniques.append(np.array([""], dtype=object))
    return RawTable(file, names, codes, uniques, arrow.num_rows)


def _csv_exact(
    text: str, names: list[str], file: Path, limits: IngestLimits = DEFAULT_LIMITS
) -> RawTable:
    """Parse row by row: blank lines become blank rows, ragged rows are marked.

    A row with fewer fields than the header, or with more that are not blank
    (blank trailing fields, as some exports write, are dropped), is malformed.
    Reading stops as soon as the rows or cells pass their caps.
    """
    width = len(names)
    most = min(limits.max_rows, limits.max_cells // max(width, 1))
    malformed: dict[int, str] = {}
    cells: list[list[str]] = []
    try:
        rows = csv.reader(io.StringIO(text, newline=""))
        next(rows, None)
        for position, row in enumerate(rows):
            if position == most:
                cap = "max_rows" if most == limits.max_rows else "max_cells"
                raise limits.refuse(file, f"has more than {most:,} data rows", cap)
            extra = row[width:]
            if any(cell.strip() for cell in extra) or (
                len(row) < width and any(cell.strip() for cell in row)
            ):
                note = f" (extra fields: {', '.join(map(repr, extra[:10]))})" if extra else ""
                malformed[position] = (
                    f"row has {len(row)} fields but the header has {width}{note}; "
                    "check for unquoted commas or a broken line"
                )
            cells.append((row + [""] * width)[:width] if len(row) != width else row)
    except csv.Error as err:
        raise IngestError(
            f"Survey file {file} cannot be read as CSV ({err}); open it in a spreadsheet "
            "and save it again as CSV (comma-separated)."
        ) from None
    columns = list(zip(*cells, strict=True)) if cells else [()] * width
    return RawTable.from_columns(file, names, columns, malformed=malformed)


# --- Binary formats --------------------------------------------------------


def _unreadable(file: Path, kind: str, err: BaseException) -> IngestError:
    return IngestError(
        f"Survey file {file} cannot be read as {kind} ({type(err).__name__}: {err}); "
        f"check that it is a real {kind} file, or export the survey again."
    )


@contextmanager
def _reading(file: Path, kind: str) -> Iterator[None]:
    """Turn whatever a third-party reader raises on a damaged file into an IngestError.

    Readers of binary formats raise many kinds of exception on hostile input
    (zlib, XML, struct, recursion errors...); none may escape as anything but
    an :class:`IngestError`. A refusal already raised passes through unchanged.
    """
    try:
        yield
    except IngestError:
        raise
    except MemoryError:
        raise IngestError(
            f"Survey file {file} needs more memory than this machine has; read it with "
            "tighter limits (read_survey(..., limits=UPLOAD_LIMITS)) or split it."
        ) from None
    except Exception as err:  # any failure of the reader on a damaged file
        raise _unreadable(file, kind, err) from None


_BIG_PART = 1 << 20


def _check_zip(given: _Input, limits: IngestLimits) -> None:
    """Refuse a workbook whose parts unpack too large, or compress like a zip bomb."""
    file = given.label
    with zipfile.ZipFile(given.binary()) as archive:
        parts = archive.infolist()
    total = sum(part.file_size for part in parts)
    if total > limits.max_xml_bytes:
        raise limits.refuse(file, f"unpacks to {total:,} bytes of XML", "max_xml_bytes")
    for part in parts:
        ratio = part.file_size / max(part.compress_size, 1)
        if part.file_size > _BIG_PART and ratio > limits.max_ratio:
            raise limits.refuse(
                file,
                f"has a part ({part.filename}) compressed {ratio:,.0f} to 1, as in a zip bomb",
                "max_ratio",
            )


def _read_xlsx(given: _Input, limits: IngestLimits) -> RawTable:
    """The first sheet, streamed row by row; the sheet's declared dimension is ignored."""
    import openpyxl

    file = given.label
    kind = "Excel workbook (.xlsx)"
    rows: list[tuple[Any, ...]] = []
    with _reading(file, kind):
        _check_zip(given, limits)
        book = openpyxl.load_workbook(given.binary(), read_only=True, data_only=True)
        try:
            if not book.worksheets:
                raise IngestError(f"Survey file {file} has no worksheet; put the survey in one.")
            sheet = book.worksheets[0]
            sheet.reset_dimensions()  # a hostile dimension (A1:XFD1048576) would pad every row
            cells = 0
            for row in sheet.iter_rows(values_only=True):
                if len(rows) > limits.max_rows:
                    raise limits.refuse(
                        file, f"has more than {limits.max_rows:,} data rows", "max_rows"
                    )
                if len(row) > limits.max_columns:
                    raise limits.refuse(file, f"has a row {len(row):,} cells wide", "max_columns")
                cells += len(row)
                if cells > limits.max_cells:
                    raise limits.refuse(
                        file, f"has more than {limits.max_cells:,} cells", "max_cells"
                    )
                rows.append(row)
        finally:
            book.close()
    if not rows or not any(v is not None for v in rows[0]):
        raise IngestError(
            f"Survey file {file}: the first sheet has no header in row 1; put the column "
            "names in row 1 of the first sheet."
        )
    width = max(len(r) for r in rows)
    if (len(rows) - 1) * width > limits.max_cells:
        raise limits.refuse(
            file,
            f"has {len(rows) - 1:,} data rows by {width:,} columns = "
            f"{(len(rows) - 1) * width:,} cells",
            "max_cells",
        )
    columns = [[r[i] if i < len(r) else None for r in rows[1:]] for i in range(width)]
    header = [*rows[0], *[None] * (width - len(rows[0]))]
    return _drop_empty_unnamed(RawTable.from_columns(file, header, columns))


def _read_sav(given: _Input, limits: IngestLimits) -> RawTable:
    """Check the header's row count and row width, then read at most ``max_rows + 1`` rows."""
    import pyreadstat

    file = given.label
    with _reading(file, "SPSS (.sav)"), given.on_path() as path:
        _, meta = pyreadstat.read_sav(path, metadataonly=True)
        if meta.number_columns and meta.number_columns > limits.max_columns:
            raise limits.refuse(file, f"has {meta.number_columns:,} columns", "max_columns")
        declared = meta.number_rows if meta.number_rows and meta.number_rows > 0 else None
        if declared is not None and declared > limits.max_rows:
            raise limits.refuse(file, f"declares {declared:,} data rows", "max_rows")
        width = sum(int(w or 8) for w in meta.variable_storage_width.values())
        rows = declared if declared is not None else limits.max_rows
        if rows * width > limits.max_unpacked_bytes:
            raise limits.refuse(
                file,
                f"declares rows of {width:,} bytes, {rows * width:,} bytes in all",
                "max_unpacked_bytes",
            )
        frame, meta = pyreadstat.read_sav(path, user_missing=True, row_limit=limits.max_rows + 1)
    if len(frame) > limits.max_rows:
        raise limits.refuse(file, f"has more than {limits.max_rows:,} data rows", "max_rows")
    columns = [frame.iloc[:, i].to_numpy() for i in range(frame.shape[1])]
    table = RawTable.from_columns(file, list(frame.columns), columns)
    labels = meta.variable_value_labels
    table.value_labels = {
        clean: {as_text(code): str(label) for code, label in labels[original].items()}
        for original, clean in zip(frame.columns, table.names, strict=True)
        if original in labels
    }
    return table


def _read_parquet(given: _Input, limits: IngestLimits) -> RawTable:
    """Check the row groups' metadata, then read text columns dictionary-encoded."""
    import pyarrow.parquet as pq

    file = given.label
    with _reading(file, "Parquet"):
        parquet = pq.ParquetFile(given.arrow())
        meta = parquet.metadata
        if meta.num_rows > limits.max_rows:
            raise limits.refuse(file, f"declares {meta.num_rows:,} data rows", "max_rows")
        if meta.num_columns > limits.max_columns:
            raise limits.refuse(file, f"has {meta.num_columns:,} columns", "max_columns")
        if meta.num_rows * meta.num_columns > limits.max_cells:
            raise limits.refuse(
                file, f"declares {meta.num_rows * meta.num_columns:,} cells", "max_cells"
            )
        unpacked = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
        if unpacked > limits.max_unpacked_bytes:
            raise limits.refuse(
                file, f"unpacks to {unpacked:,} bytes of data", "max_unpacked_bytes"
            )
        # Text read as dictionaries: 20 million copies of one long answer stay one answer.
        text = [f.name for f in parquet.schema_arrow if _is_text(f.type)]
        arrow = pq.ParquetFile(given.arrow(), read_dictionary=text).read()
        encoded = [_arrow_codes(arrow.column(i)) for i in range(arrow.num_columns)]
    return _drop_empty_unnamed(
        RawTable(
            file,
            _clean_names(arrow.column_names, file),
            [c for c, _ in encoded],
            [u for _, u in encoded],
            arrow.num_rows,
        )
    )


def _is_text(kind: pa.DataType) -> bool:
    if pa.types.is_dictionary(kind):
        kind = kind.value_type
    return any(
        check(kind)
        for check in (
            pa.types.is_string,
            pa.types.is_large_string,
            pa.types.is_binary,
            pa.types.is_large_binary,
        )
    )


def _arrow_codes(column: pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray]:
    """Codes and distinct strings of an Arrow column, each distinct value turned to text once."""
    if not pa.types.is_dictionary(column.type):
        try:
            column = column.dictionary_encode()
        except (pa.ArrowNotImplementedError, pa.ArrowTypeError, pa.ArrowInvalid):
            return encode(pd.Series(column.to_numpy(), dtype=object))  # lists, structs...
    array = column.combine_chunks()
    values = array.dictionary.to_pylist()
    positions = pc.fill_null(array.indices, -1).to_numpy(zero_copy_only=False).astype(np.int64)
    positions[positions < 0] = len(values)
    codes, uniques = encode(pd.Series([*values, None], dtype=object))
    return codes[positions], uniques
