"""Hostile survey files and codebooks, made small and fast, and a child process to read them in.

Each generator returns the file's bytes; nothing big is committed. :func:`run_isolated`
reads files in a fresh Python process with a 3 GB address-space limit and a wall-clock
limit, so a file that exhausts memory or time fails the test instead of the machine.
Run as a script, this module is that child: it reads JSON cases on stdin and prints one
JSON outcome per case (``read``, the ``ListeningError`` subclass raised, or anything else).
"""

from __future__ import annotations

import io
import json
import struct
import subprocess
import sys
import time
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MEMORY_LIMIT = 3 << 30
TIME_LIMIT = 60.0

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006"
_CONTENT_TYPES = (
    f'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="{_PKG}/content-types">'
    '<Default Extension="rels" ContentType="application/'
    'vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
)
_ROOT_RELS = (
    f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_PKG}/relationships">'
    f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
_WORKBOOK = (
    f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{_MAIN}" xmlns:r="{_REL}">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_PKG}/relationships">'
    f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
    "</Relationships>"
)


def _sheet_start(dimension: str) -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{_MAIN}">'
        f'<dimension ref="{dimension}"/><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>id</t></is></c>'
        '<c r="B1" t="inlineStr"><is><t>age</t></is></c></row>'
    ).encode()


_SHEET_END = b"</sheetData></worksheet>"


def _workbook_parts() -> list[tuple[str, bytes]]:
    return [
        ("[Content_Types].xml", _CONTENT_TYPES.encode()),
        ("_rels/.rels", _ROOT_RELS.encode()),
        ("xl/workbook.xml", _WORKBOOK.encode()),
        ("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS.encode()),
    ]


def xlsx_dimension_bomb(column: str = "XFD") -> bytes:
    """About 1.5 KB: dimension A1:XFD1048576, a header, and one cell in the last row."""
    sheet = (
        _sheet_start("A1:XFD1048576")
        + f'<row r="1048576"><c r="{column}1048576"><v>1</v></c></row>'.encode()
        + _SHEET_END
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as book:
        for name, data in [*_workbook_parts(), ("xl/worksheets/sheet1.xml", sheet)]:
            book.writestr(name, data)
    return buffer.getvalue()


def xlsx_zip_bomb(compressed_bytes: int, *, honest: bool = True) -> bytes:
    """A workbook of identical rows whose sheet compresses about 1,000 to 1.

    The deflate stream is one compressed block repeated (each ends with a full flush,
    so it stands alone), so a 2.5 MB bomb of 2.5 GB of XML is made in a second or two.
    ``honest=False`` declares a tiny uncompressed size in the zip headers, as a bomb
    that lies about its size would.
    """
    chunk = b"<row><c><v>1</v></c><c><v>14</v></c></row>" * 25_000  # about 1 MB
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = packer.compress(chunk) + packer.flush(zlib.Z_FULL_FLUSH)
    first, last = _sheet_start("A1:B2"), _SHEET_END
    head = zlib.compressobj(9, zlib.DEFLATED, -15)
    start = head.compress(first) + head.flush(zlib.Z_FULL_FLUSH)
    end = zlib.compressobj(9, zlib.DEFLATED, -15)
    finish = end.compress(last) + end.flush()
    copies = max(1, (compressed_bytes - len(start) - len(finish)) // len(block))
    crc = _crc_combine(zlib.crc32(first), _repeated_crc(chunk, copies), copies * len(chunk))
    crc = zlib.crc32(last, crc)
    size = len(first) + copies * len(chunk) + len(last)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as book:
        for name, data in _workbook_parts():
            book.writestr(name, data)
    stream = start + block * copies + finish
    declared = size if honest else 4096
    return _append_raw_entry(buffer.getvalue(), "xl/worksheets/sheet1.xml", stream, crc, declared)


def _repeated_crc(chunk: bytes, copies: int) -> int:
    """The CRC-32 of ``chunk * copies``, by doubling."""
    total, total_length = 0, 0
    power, power_length = zlib.crc32(chunk), len(chunk)
    while copies:
        if copies & 1:
            total = _crc_combine(total, power, power_length) if total_length else power
            total_length += power_length
        power = _crc_combine(power, power, power_length)
        power_length *= 2
        copies >>= 1
    return total


def _crc_combine(crc1: int, crc2: int, length2: int) -> int:
    """zlib's crc32_combine: the CRC of A + B from the CRCs of A and B and B's length."""

    def times(matrix: list[int], vector: int) -> int:
        total, i = 0, 0
        while vector:
            if vector & 1:
                total ^= matrix[i]
            vector >>= 1
            i += 1
        return total

    def square(matrix: list[int]) -> list[int]:
        return [times(matrix, row) for row in matrix]

    odd = [0xEDB88320] + [1 << i for i in range(31)]
    even = square(odd)
    odd = square(even)
    while True:
        even = square(odd)
        if length2 & 1:
            crc1 = times(even, crc1)
        length2 >>= 1
        if not length2:
            break
        odd = square(even)
        if length2 & 1:
            crc1 = times(odd, crc1)
        length2 >>= 1
        if not length2:
            break
    return crc1 ^ crc2


def _append_raw_entry(archive: bytes, name: str, stream: bytes, crc: int, size: int) -> bytes:
    """Add one already-deflated entry to a zip made by zipfile (rewriting its directory)."""
    source = zipfile.ZipFile(io.BytesIO(archive))
    out = io.BytesIO()
    directory = []
    for info in source.infolist():
        raw = source.read(info.filename)
        packed = zlib.compressobj(6, zlib.DEFLATED, -15)
        data = packed.compress(raw) + packed.flush()
        directory.append((info.filename.encode(), out.tell(), zlib.crc32(raw), len(data), len(raw)))
        out.write(_local_header(info.filename.encode(), zlib.crc32(raw), len(data), len(raw)))
        out.write(data)
    directory.append((name.encode(), out.tell(), crc, len(stream), size))
    out.write(_local_header(name.encode(), crc, len(stream), size))
    out.write(stream)
    start = out.tell()
    for entry, offset, entry_crc, packed_size, raw_size in directory:
        out.write(
            struct.pack(
                "<4s6H3L5H2L",
                b"PK\x01\x02",
                20,
                20,
                0,
                8,
                0,
                0,
                entry_crc,
                packed_size,
                raw_size & 0xFFFFFFFF,
                len(entry),
                0,
                0,
                0,
                0,
                0,
                offset,
            )
        )
        out.write(entry)
    end = out.tell()
    out.write(
        struct.pack(
            "<4s4H2LH", b"PK\x05\x06", 0, 0, len(directory), len(directory), end - start, start, 0
        )
    )
    return out.getvalue()


def _local_header(name: bytes, crc: int, packed: int, raw: int) -> bytes:
    return (
        struct.pack(
            "<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, 0, crc, packed, raw & 0xFFFFFFFF, len(name), 0
        )
        + name
    )


def parquet_many_rows(rows: int = 20_000_000) -> bytes:
    """About 1-2 MB of Parquet: ``rows`` identical rows, dictionary- and run-length-encoded."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    zeros = pa.array(np.zeros(rows, dtype=np.int8))
    table = pa.table(
        {
            "id": pa.DictionaryArray.from_arrays(zeros, pa.array(["YL00001"])),
            "age": pa.DictionaryArray.from_arrays(zeros, pa.array(["14"])),
        }
    )
    buffer = io.BytesIO()
    pq.write_table(table, buffer, compression="zstd")
    return buffer.getvalue()


def parquet_long_answer(rows: int = 900_000, chars: int = 30_000) -> bytes:
    """Under the row caps, but one long answer repeated in every row (27 GB as text)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    zeros = pa.array(np.zeros(rows, dtype=np.int8))
    table = pa.table(
        {
            "id": pa.array(np.arange(rows)),
            "text": pa.DictionaryArray.from_arrays(zeros, pa.array(["x" * chars])),
        }
    )
    buffer = io.BytesIO()
    pq.write_table(table, buffer, compression="zstd")
    return buffer.getvalue()


def yaml_billion_laughs(levels: int = 9, width: int = 9) -> bytes:
    """The "billion laughs": each anchor a list of ``width`` aliases to the one before."""
    lines = ['a0: &a0 "lol"']
    for level in range(1, levels + 1):
        aliases = ", ".join([f"*a{level - 1}"] * width)
        lines.append(f"a{level}: &a{level} [{aliases}]")
    lines.append(f"id_column: *a{levels}")
    lines.append(f"questions: [*a{levels}]")
    return ("\n".join(lines) + "\n").encode()


def yaml_deep(depth: int = 100_000, opener: str = "[", closer: str = "]") -> bytes:
    """About 200 KB of flow collections nested ``depth`` deep."""
    return (opener * depth + closer * depth + "\n").encode()


def yaml_deep_block(depth: int = 1_000) -> bytes:
    """Block mappings nested ``depth`` deep by indentation."""
    lines = [f"{' ' * level}k{level}:\n" for level in range(depth)] + [" " * depth + "x\n"]
    return "".join(lines).encode()


# --- The child process -------------------------------------------------------


@dataclass
class Outcome:
    """What one read did: ``read``, an error's class name, or ``killed``/``timeout``."""

    outcome: str
    message: str = ""
    seconds: float = 0.0
    peak_mb: float = 0.0


def case(path: Path, mode: str, limits: str) -> dict:
    """A request for :func:`run_isolated`: read ``path`` from ``"bytes"`` or ``"path"``."""
    kind = "codebook" if path.suffix == ".yaml" else "survey"
    return {"kind": kind, "path": str(path), "name": path.name, "mode": mode, "limits": limits}


def run_isolated(
    cases: list[dict], *, time_limit: float = TIME_LIMIT, memory_limit: int = MEMORY_LIMIT
) -> list[Outcome]:
    """Read each case (``kind``, ``path``, ``name``, ``mode``, ``limits``) in one child process.

    ``kind`` is ``"survey"`` or ``"codebook"``; ``mode`` is ``"bytes"`` (what the
    explorer passes) or ``"path"``; ``limits`` is ``"upload"`` or ``"default"``. If the
    child dies (memory) or overruns the time limit, the cases without an outcome are
    reported as ``killed`` or ``timeout``.
    """
    request = json.dumps({"cases": cases, "memory_limit": memory_limit})
    started = time.monotonic()
    try:
        done = subprocess.run(
            [sys.executable, str(Path(__file__).resolve())],
            input=request,
            capture_output=True,
            text=True,
            timeout=time_limit,
            cwd=ROOT,
            check=False,
        )
        stdout, status = done.stdout, "killed"
        detail = f"exit {done.returncode}: {done.stderr[-2000:]}"
    except subprocess.TimeoutExpired as err:
        stdout = err.stdout.decode() if isinstance(err.stdout, bytes) else err.stdout or ""
        status, detail = "timeout", f"over {time_limit:.0f} s ({time.monotonic() - started:.0f} s)"
    outcomes = [Outcome(**json.loads(line)) for line in stdout.splitlines() if line.strip()]
    return outcomes + [Outcome(status, detail)] * (len(cases) - len(outcomes))


def _child() -> None:
    import resource

    request = json.loads(sys.stdin.read())
    limit = request["memory_limit"]
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    import listening as yl

    for case in request["cases"]:
        source = Path(case["path"])
        data = source.read_bytes() if case["mode"] == "bytes" else source
        limits = yl.UPLOAD_LIMITS if case["limits"] == "upload" else yl.DEFAULT_LIMITS
        started = time.perf_counter()
        try:
            if case["kind"] == "codebook":
                yl.load_codebook(data)
            else:
                yl.read_survey(data, limits=limits, name=case["name"])
            result, message = "read", ""
        except BaseException as err:  # the point: report whatever escapes
            result, message = type(err).__name__, str(err)[:2000]
        peak = _peak_mb()
        record = Outcome(result, message, time.perf_counter() - started, peak)
        print(json.dumps(record.__dict__), flush=True)


def _peak_mb() -> float:
    """This process's peak resident memory (VmHWM: unlike ru_maxrss, not the parent's at fork)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


if __name__ == "__main__":
    _child()


def xlsx_plain(rows: int, columns: int = 30) -> bytes:
    """An honest workbook of ``rows`` by ``columns`` numbers (about 35 bytes of XML a cell)."""
    from openpyxl.utils import get_column_letter

    letters = [get_column_letter(i + 1) for i in range(columns)]
    header = "".join(f'<c r="{c}1" t="inlineStr"><is><t>q{c}</t></is></c>' for c in letters)
    sheet = io.BytesIO()
    sheet.write(_sheet_start(f"A1:{letters[-1]}{rows + 1}").split(b'<row r="1">')[0])
    sheet.write(f'<row r="1">{header}</row>'.encode())
    for row in range(2, rows + 2):
        cells = "".join(
            f'<c r="{c}{row}"><v>{(row * 7 + i) % 5 + 1}</v></c>' for i, c in enumerate(letters)
        )
        sheet.write(f'<row r="{row}">{cells}</row>'.encode())
    sheet.write(_SHEET_END)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as book:
        for name, data in [*_workbook_parts(), ("xl/worksheets/sheet1.xml", sheet.getvalue())]:
            book.writestr(name, data)
    return buffer.getvalue()


def xlsx_entity_bomb(levels: int = 9) -> bytes:
    """A workbook whose sheet XML declares the "billion laughs" entities and uses the last."""
    entities = ['<!ENTITY e0 "lol">'] + [
        f'<!ENTITY e{i} "{f"&e{i - 1};" * 10}">' for i in range(1, levels + 1)
    ]
    sheet = (
        f'<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE worksheet [{"".join(entities)}]>'
        f'<worksheet xmlns="{_MAIN}"><sheetData><row r="1"><c r="A1" t="inlineStr">'
        f"<is><t>&e{levels};</t></is></c></row></sheetData></worksheet>"
    ).encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as book:
        for name, data in [*_workbook_parts(), ("xl/worksheets/sheet1.xml", sheet)]:
            book.writestr(name, data)
    return buffer.getvalue()
