"""Read survey files into a loss-free table of strings.

Every supported format (.csv, .xlsx, .sav, .parquet) is read into a
:class:`RawTable`: the header as written, and per column the cell values as
strings stored once each (``uniques``) with a code per row (``codes``), so
validation can normalise each distinct value once. Blank cells are ``""``;
numbers are written as a person would type them (``14`` not ``14.0``).

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
import re
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv

from listening.errors import IngestError

SUPPORTED = (".csv", ".xlsx", ".sav", ".parquet")


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


def read_table(path: str | Path) -> RawTable:
    """Read a survey file of any supported format as strings.

    Parameters
    ----------
    path : str or Path
        A ``.csv``, ``.xlsx``, ``.sav`` or ``.parquet`` file.

    Returns
    -------
    RawTable

    Raises
    ------
    IngestError
        If the file is missing, empty, of an unsupported type or unreadable;
        the message names the file and how to fix it.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> file = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = file.write_bytes("id,name\\r\\n1,Zo\\xeb\\r\\n".encode("cp1252"))
    >>> table = read_table(file)
    >>> table.column(1).tolist(), table.encoding
    (['Zoë'], 'cp1252')
    """
    file = Path(path)
    suffix = file.suffix.lower()
    if suffix not in SUPPORTED:
        raise IngestError(
            f"Cannot read {file}: the extension {file.suffix or '(none)'!r} is not supported; "
            f"save the survey as one of {', '.join(SUPPORTED)}."
        )
    if not file.is_file():
        raise IngestError(
            f"Survey file {file} does not exist; check the path (relative paths start "
            f"from {Path.cwd()})."
        )
    if file.stat().st_size == 0:
        raise IngestError(f"Survey file {file} is empty (0 bytes); export the responses again.")
    readers: dict[str, Callable[[Path], RawTable]] = {
        ".csv": _read_csv,
        ".xlsx": _read_xlsx,
        ".sav": _read_sav,
        ".parquet": _read_parquet,
    }
    table = readers[suffix](file)
    if table.n_rows == 0:
        raise IngestError(
            f"Survey file {file} has a header but no data rows; export the responses again."
        )
    return table


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


def _read_csv(file: Path) -> RawTable:
    """Arrow reads a UTF-8 file straight from disk; anything else is decoded first.

    Only when the header cannot be taken from the file's first 64 KiB as UTF-8,
    or Arrow finds a ragged row or a byte that is not UTF-8, is the whole file
    decoded in Python (UTF-8, Windows-1252, then Latin-1) and parsed again.
    """
    with file.open("rb") as handle:
        start = handle.read(_PREFIX)
    header = _utf8_header(start, complete=len(start) < _PREFIX)
    if header is not None:
        table = _csv_fast(str(file), _names(header, file), file)
        if table is not None:
            table.encoding = "utf-8"
            return _drop_empty_unnamed(table)
    text, encoding = _decode(file.read_bytes())
    if not re.search(r"\S", text):
        raise IngestError(f"Survey file {file} is empty (only blank lines); export it again.")
    try:
        header = next(csv.reader(io.StringIO(text, newline="")), [])
    except csv.Error as err:
        raise IngestError(
            f"Survey file {file}: the header line cannot be read as CSV ({err}); "
            "save the survey as comma-separated values."
        ) from None
    names = _names(header, file)
    table = None
    if encoding != "utf-8" and _one_line(header):
        table = _csv_fast(pa.BufferReader(text.encode("utf-8")), names, file)
    if table is None:
        table = _csv_exact(text, names, file)
    table.encoding = encoding
    return _drop_empty_unnamed(table)


_PREFIX = 1 << 16


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


def _names(header: list[str], file: Path) -> list[str]:
    if not any(h.strip() for h in header):
        raise IngestError(
            f"Survey file {file}: the first line is blank; the column names must be on line 1."
        )
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


def _csv_exact(text: str, names: list[str], file: Path) -> RawTable:
    """Parse row by row: blank lines become blank rows, ragged rows are marked.

    A row with fewer fields than the header, or with more that are not blank
    (blank trailing fields, as some exports write, are dropped), is malformed.
    """
    width = len(names)
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))[1:]
    except csv.Error as err:
        raise IngestError(
            f"Survey file {file} cannot be read as CSV ({err}); open it in a spreadsheet "
            "and save it again as CSV (comma-separated)."
        ) from None
    malformed: dict[int, str] = {}
    cells: list[list[str]] = []
    for position, row in enumerate(rows):
        extra = row[width:]
        if any(cell.strip() for cell in extra) or (
            len(row) < width and any(cell.strip() for cell in row)
        ):
            note = f" (extra fields: {', '.join(map(repr, extra[:10]))})" if extra else ""
            malformed[position] = (
                f"row has {len(row)} fields but the header has {width}{note}; "
                "check for unquoted commas or a broken line"
            )
        cells.append((row + [""] * width)[:width])
    columns = list(zip(*cells, strict=True)) if cells else [()] * width
    return RawTable.from_columns(file, names, columns, malformed=malformed)


# --- Binary formats --------------------------------------------------------


def _unreadable(file: Path, kind: str, err: Exception) -> IngestError:
    return IngestError(
        f"Survey file {file} cannot be read as {kind} ({type(err).__name__}: {err}); "
        f"check that it is a real {kind} file, or export the survey again."
    )


def _read_xlsx(file: Path) -> RawTable:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = openpyxl.load_workbook(file, read_only=True, data_only=True)
        try:
            rows = [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
        finally:
            book.close()
    except (
        zipfile.BadZipFile,
        InvalidFileException,
        ElementTree.ParseError,
        KeyError,
        OSError,
        ValueError,
        TypeError,
    ) as err:
        raise _unreadable(file, "Excel workbook (.xlsx)", err) from None
    if not rows or not any(v is not None for v in rows[0]):
        raise IngestError(
            f"Survey file {file}: the first sheet has no header in row 1; put the column "
            "names in row 1 of the first sheet."
        )
    width = max(len(r) for r in rows)
    rows = [r + [None] * (width - len(r)) for r in rows]
    columns = [[r[i] for r in rows[1:]] for i in range(width)]
    return _drop_empty_unnamed(RawTable.from_columns(file, rows[0], columns))


def _read_sav(file: Path) -> RawTable:
    import pyreadstat

    try:
        frame, meta = pyreadstat.read_sav(str(file), user_missing=True)
    except (pyreadstat.ReadstatError, pyreadstat.PyreadstatError, OSError) as err:
        raise _unreadable(file, "SPSS (.sav)", err) from None
    columns = [frame.iloc[:, i].to_numpy() for i in range(frame.shape[1])]
    table = RawTable.from_columns(file, list(frame.columns), columns)
    labels = meta.variable_value_labels
    table.value_labels = {
        clean: {as_text(code): str(label) for code, label in labels[original].items()}
        for original, clean in zip(frame.columns, table.names, strict=True)
        if original in labels
    }
    return table


def _read_parquet(file: Path) -> RawTable:
    import pyarrow.parquet as pq

    try:
        arrow = pq.read_table(file)
    except (pa.ArrowException, OSError) as err:
        raise _unreadable(file, "Parquet", err) from None
    frame = arrow.to_pandas(ignore_metadata=True)
    columns = [frame.iloc[:, i].to_numpy(dtype=object) for i in range(frame.shape[1])]
    return _drop_empty_unnamed(RawTable.from_columns(file, list(frame.columns), columns))
