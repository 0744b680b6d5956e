"""How much a survey file may hold before it is refused: :class:`IngestLimits`.

Every reader checks what a file declares before reading it (a workbook's
part sizes and compression ratios, a Parquet file's row count, an SPSS
header's row count) and stops as soon as a cap is passed, so a small hostile
file cannot take minutes or gigabytes. :data:`DEFAULT_LIMITS` are generous,
for the library and the command line; :data:`UPLOAD_LIMITS` are stricter, for
files uploaded to a shared explorer (at most 50 MB, read within about 30 s and
2 GB of memory).

Examples
--------
>>> from listening.ingest.limits import DEFAULT_LIMITS, UPLOAD_LIMITS, IngestLimits
>>> UPLOAD_LIMITS.max_bytes < DEFAULT_LIMITS.max_bytes
True
>>> IngestLimits(max_rows=500).max_rows
500
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path

from listening.errors import IngestError

_MIB = 1 << 20


@dataclass(frozen=True)
class IngestLimits:
    """Caps on what one survey file may hold; a file over any cap is refused.

    Pass to :func:`~listening.ingest.survey.read_survey` as ``limits=``.

    Attributes
    ----------
    max_bytes : int
        Size of the file itself.
    max_rows : int
        Data rows (the header excluded).
    max_columns : int
        Columns.
    max_cells : int
        Rows times columns.
    max_cell_chars : int
        Characters in any one cell.
    max_unpacked_bytes : int
        Decoded size of the data: the characters of all cells together (a
        dictionary-encoded Parquet file can repeat one long answer in every
        row), and, checked before reading, a Parquet file's row groups
        uncompressed or an SPSS file's rows times its declared row width.
    max_xml_bytes : int
        Uncompressed size of all the parts of an .xlsx workbook (its XML);
        reading a workbook takes time in proportion to it.
    max_ratio : int
        Compression ratio (uncompressed / compressed) of any part of an .xlsx
        workbook larger than 1 MiB; real workbooks compress about 10 to 1
        (25 to 1 when every row is the same), zip bombs 300 to 1,000 to 1.

    Examples
    --------
    >>> limits = IngestLimits(max_rows=10)
    >>> limits.max_rows, limits.max_columns == DEFAULT_LIMITS.max_columns
    (10, True)
    >>> IngestLimits(max_rows=0)
    Traceback (most recent call last):
    ...
    ValueError: IngestLimits.max_rows must be a positive whole number, not 0
    """

    max_bytes: int = 2048 * _MIB
    max_rows: int = 10_000_000
    max_columns: int = 16_384
    max_cells: int = 400_000_000
    max_cell_chars: int = 1_000_000
    max_unpacked_bytes: int = 8192 * _MIB
    max_xml_bytes: int = 2048 * _MIB
    max_ratio: int = 200

    def __post_init__(self) -> None:
        for item in fields(self):
            value = getattr(self, item.name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(
                    f"IngestLimits.{item.name} must be a positive whole number, not {value!r}"
                )

    def refuse(
        self,
        source: Path | str,
        what: str,
        limit: str,
        fix: str = "split the file or remove what is not needed",
    ) -> IngestError:
        """The error for a file over one cap: what was found, the cap and how to fix it.

        Parameters
        ----------
        source : Path or str
            The file, as named in the message.
        what : str
            What the file holds, e.g. ``"has 2,000,000 data rows"``.
        limit : str
            The name of the cap passed, e.g. ``"max_rows"``.
        fix : str, optional
            What the user can do about it, before the larger-limit advice.

        Examples
        --------
        >>> print(IngestLimits(max_rows=10).refuse("a.csv", "has 11 data rows", "max_rows"))
        Survey file a.csv has 11 data rows, over the limit max_rows=10; split the file or \
remove what is not needed, or read it with a larger limit: \
read_survey(..., limits=IngestLimits(max_rows=...)).
        """
        return IngestError(
            f"Survey file {source} {what}, over the limit {limit}={getattr(self, limit):,}; "
            f"{fix}, or read it with a larger limit: "
            f"read_survey(..., limits=IngestLimits({limit}=...))."
        )


#: Generous caps for the library and the command line.
DEFAULT_LIMITS = IngestLimits()

#: Stricter caps for files uploaded to a shared explorer: a file of up to 50 MB
#: is read, or refused, within about 30 s and 2 GB of memory.
UPLOAD_LIMITS = IngestLimits(
    max_bytes=50 * _MIB,
    max_rows=1_000_000,
    max_columns=2_000,
    max_cells=20_000_000,
    max_cell_chars=32_767,
    max_unpacked_bytes=256 * _MIB,
    max_xml_bytes=40 * _MIB,
    max_ratio=100,
)
