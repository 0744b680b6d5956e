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
import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pa_csv

from listening.errors import IngestError
from listening.ingest.formats import read_parquet, read_sav, read_xlsx, reading
from listening.ingest.limits import DEFAULT_LIMITS, IngestLimits
from listening.ingest.rawtable import (
    RawTable,
    Source,
    SurveyInput,
    clean_names,
    drop_empty_unnamed,
)


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
    given = SurveyInput.of(source, name, limits)
    readers: dict[str, Callable[[SurveyInput, IngestLimits], RawTable]] = {
        ".csv": _read_csv,
        ".xlsx": read_xlsx,
        ".sav": read_sav,
        ".parquet": read_parquet,
    }
    suffix = given.label.suffix.lower()
    with reading(given.label, _KINDS[suffix]):
        table = readers[suffix](given, limits)
    if table.n_rows == 0:
        raise IngestError(
            f"Survey file {given.label} has a header but no data rows; export the responses again."
        )
    _check_extent(table, limits)
    return table


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
    sizes = [np.fromiter(map(len, u), dtype=np.int64, count=len(u)) for u in table.uniques]
    for position, (codes, lengths) in enumerate(zip(table.codes, sizes, strict=True)):
        if len(lengths) and lengths.max() > limits.max_cell_chars:
            code = int(np.argmax(lengths))
            row = int(np.argmax(codes == code)) + 1
            raise limits.refuse(
                table.source,
                f"has a cell of {int(lengths[code]):,} characters (column "
                f"{table.names[position]!r}, data row {row})",
                "max_cell_chars",
            )
    longest = sum(int(lengths.max()) for lengths in sizes if len(lengths))
    if longest * table.n_rows <= limits.max_unpacked_bytes:
        return  # even every cell at its column's longest stays within the cap
    total = sum(
        int(lengths[codes].sum()) for codes, lengths in zip(table.codes, sizes, strict=True)
    )
    if total > limits.max_unpacked_bytes:  # one answer repeated in every row adds up
        raise limits.refuse(
            table.source, f"holds {total:,} characters of text in all", "max_unpacked_bytes"
        )


# --- CSV -------------------------------------------------------------------


def _decode(raw: bytes) -> tuple[str, str]:
    """Decode as UTF-8 (BOM or not), else Windows-1252, else Latin-1 (never fails)."""
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding), encoding.removesuffix("-sig")
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1"), "latin-1"


def _read_csv(given: SurveyInput, limits: IngestLimits) -> RawTable:
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
            return drop_empty_unnamed(table)
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
    return drop_empty_unnamed(table)


_PREFIX = 1 << 16
_KINDS = {
    ".csv": "CSV",
    ".xlsx": "Excel workbook (.xlsx)",
    ".sav": "SPSS (.sav)",
    ".parquet": "Parquet",
}
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
    return clean_names(header, file)


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
