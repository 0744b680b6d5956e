"""Readers of the binary formats: .xlsx, .sav and .parquet, within :class:`IngestLimits`.

Each checks what the file declares before reading it (an .xlsx's part sizes
and compression ratios, an SPSS header's row count and row width, a Parquet
file's row groups), then reads at most what the limits allow. Whatever a
third-party reader raises on a damaged file becomes an :class:`IngestError`.

Examples
--------
>>> import io
>>> import pandas as pd
>>> from listening.ingest.limits import DEFAULT_LIMITS
>>> buffer = io.BytesIO()
>>> pd.DataFrame({"id": ["A1"], "age": [14]}).to_parquet(buffer)
>>> given = SurveyInput.of(buffer.getvalue(), "s.parquet", DEFAULT_LIMITS)
>>> read_parquet(given, DEFAULT_LIMITS).column(1).tolist()
['14']
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from listening.errors import IngestError
from listening.ingest.limits import IngestLimits
from listening.ingest.rawtable import (
    RawTable,
    SurveyInput,
    as_text,
    clean_names,
    drop_empty_unnamed,
    encode,
)


def _unreadable(file: Path, kind: str, err: BaseException) -> IngestError:
    return IngestError(
        f"Survey file {file} cannot be read as {kind} ({type(err).__name__}: {err}); "
        f"check that it is a real {kind} file, or export the survey again."
    )


@contextmanager
def reading(file: Path, kind: str) -> Iterator[None]:
    """Turn whatever a third-party reader raises on a damaged file into an IngestError.

    Examples
    --------
    >>> with reading(Path("x.parquet"), "Parquet"):
    ...     raise OSError("truncated")
    Traceback (most recent call last):
    ...
    listening.errors.IngestError: Survey file x.parquet cannot be read as Parquet (OSError: \
truncated); check that it is a real Parquet file, or export the survey again.


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
            f"Survey file {file} needs more memory than is available; split it, or read it "
            "with tighter limits (read_survey(..., limits=IngestLimits(...)))."
        ) from None
    except Exception as err:  # any failure of the reader on a damaged file
        raise _unreadable(file, kind, err) from None


_BIG_PART = 1 << 20


def _check_zip(given: SurveyInput, limits: IngestLimits) -> None:
    """Refuse a workbook whose parts unpack too large, or compress like a zip bomb."""
    file = given.label
    with zipfile.ZipFile(given.binary()) as archive:
        parts = archive.infolist()
    total = sum(part.file_size for part in parts)
    if total > limits.max_xml_bytes:
        raise limits.refuse(
            file,
            f"unpacks to {total:,} bytes of XML",
            "max_xml_bytes",
            "save the first sheet as CSV (comma-separated), which reads far faster",
        )
    for part in parts:
        ratio = part.file_size / max(part.compress_size, 1)
        if part.file_size > _BIG_PART and ratio > limits.max_ratio:
            raise limits.refuse(
                file,
                f"has a part ({part.filename}) compressed {ratio:,.0f} to 1, as in a zip bomb",
                "max_ratio",
                "if it is a real workbook, save the first sheet as CSV (comma-separated)",
            )


def read_xlsx(given: SurveyInput, limits: IngestLimits) -> RawTable:
    """The first sheet, streamed row by row; the sheet's declared dimension is ignored."""
    import openpyxl

    file = given.label
    kind = "Excel workbook (.xlsx)"
    rows: list[tuple[Any, ...]] = []
    with reading(file, kind):
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
                cells += len(row) if rows else 0  # data cells: the header is not one
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
    return drop_empty_unnamed(RawTable.from_columns(file, header, columns))


def read_sav(given: SurveyInput, limits: IngestLimits) -> RawTable:
    """Check the header's row count and row width, then read at most ``max_rows + 1`` rows."""
    import pyreadstat

    file = given.label
    with reading(file, "SPSS (.sav)"), given.on_path() as path:
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


def read_parquet(given: SurveyInput, limits: IngestLimits) -> RawTable:
    """Check the row groups' metadata, then read text columns dictionary-encoded."""
    import pyarrow.parquet as pq

    file = given.label
    with reading(file, "Parquet"):
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
        schema = parquet.schema_arrow
        names = clean_names(schema.names, file)
        # Text read as dictionaries: 20 million copies of one long answer stay one answer.
        text = [f.name for f in schema if _is_text(f.type)]
        parquet = pq.ParquetFile(given.arrow(), read_dictionary=text)
        # One column at a time, so only one is ever held both in Arrow and as Python text.
        encoded = [_arrow_codes(parquet.read([f.name]).column(0)) for f in schema]
    return drop_empty_unnamed(
        RawTable(file, names, [c for c, _ in encoded], [u for _, u in encoded], meta.num_rows)
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
