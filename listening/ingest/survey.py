"""Read a survey file into typed respondents and rejected rows, losing nothing.

:func:`read_survey` reads a .csv, .xlsx, .sav or .parquet file, normalises
every answer against the codebook, rejects each row that breaks a rule with
every reason that applies, and returns a :class:`Survey`. Always
``survey.n_read == len(survey.data) + len(survey.rejected)``.

Examples
--------
>>> import tempfile, pathlib
>>> file = pathlib.Path(tempfile.mkdtemp()) / "answers.csv"
>>> _ = file.write_text("id,colour\\nA1,red\\n,\\nA2, blue \\n")
>>> survey = read_survey(file)
>>> survey.n_read, len(survey.data), survey.rejected["reason"].tolist()
(3, 2, ['row is entirely blank'])
"""

from __future__ import annotations

import html
import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from listening.errors import CodebookError
from listening.ingest.codebook import Codebook, Question, load_codebook
from listening.ingest.limits import DEFAULT_LIMITS, IngestLimits
from listening.ingest.readers import RawTable, Source, read_table
from listening.ingest.validate import (
    Finding,
    Parsed,
    Rows,
    match_columns,
    parse_multi,
    parse_question,
    required_blank,
    tidy_all,
)

BLANK_ROW = "row is entirely blank"
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_WHOLE = re.compile(r"[+-]?\d{1,15}(\.0*)?")
_LEADING_ZERO = re.compile(r"[+-]?0\d")


@dataclass(frozen=True, eq=False, repr=False)
class IngestReport:
    """What happened when a file was read, with no respondent-level values.

    Attributes
    ----------
    source : str
        The file read.
    n_read, n_kept, n_rejected : int
        Data rows read, kept and rejected.
    reasons : DataFrame
        ``rule``, ``column``, ``rows``: how many rows broke each rule (a row
        breaking several rules counts under each).
    nonresponse : DataFrame
        Per question among kept respondents: ``answered``, ``blank``, then one
        column per missing code (Don't know, Prefer not to say; ``<NA>`` where
        the question has no such code) and ``in_file``.
    extra_columns : tuple of str
        Columns of the file the codebook does not know, kept aside.
    encoding : str
        Text encoding of a CSV file (``""`` for other formats).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> file = pathlib.Path(tempfile.mkdtemp()) / "a.csv"
    >>> _ = file.write_text("id,x\\nA1,1\\n,\\n")
    >>> report = read_survey(file).report()
    >>> report.n_kept, report.n_rejected
    (1, 1)
    >>> report.to_frames()["reasons"].to_dict("records")
    [{'rule': 'blank row', 'column': '', 'rows': 1}]
    """

    source: str
    n_read: int
    n_kept: int
    n_rejected: int
    reasons: pd.DataFrame
    nonresponse: pd.DataFrame
    extra_columns: tuple[str, ...] = ()
    encoding: str = ""

    def to_frames(self) -> dict[str, pd.DataFrame]:
        """The report as DataFrames: summary, reasons, nonresponse, extra_columns.

        Examples
        --------
        >>> import tempfile, pathlib
        >>> file = pathlib.Path(tempfile.mkdtemp()) / "a.csv"
        >>> _ = file.write_text("id,x\\nA1,1\\n")
        >>> read_survey(file).report().to_frames()["summary"]["value"].tolist()
        [1, 1, 0]
        """
        summary = pd.DataFrame(
            {
                "measure": ["rows read", "rows kept", "rows rejected"],
                "value": [self.n_read, self.n_kept, self.n_rejected],
            }
        )
        return {
            "summary": summary,
            "reasons": self.reasons.copy(),
            "nonresponse": self.nonresponse.copy(),
            "extra_columns": pd.DataFrame({"column": list(self.extra_columns)}, dtype=object),
        }

    def __str__(self) -> str:
        lines = [
            f"Ingest report for {self.source}" + (f" ({self.encoding})" if self.encoding else ""),
            f"  rows read {self.n_read}, kept {self.n_kept}, rejected {self.n_rejected}",
        ]
        if len(self.reasons):
            lines.append("Rejected rows by rule (a row may break several):")
            lines += [
                f"  {r.rule}{f' ({r.column})' if r.column else ''}: {r.rows}"
                for r in self.reasons.itertuples()
            ]
        if self.extra_columns:
            lines.append(f"Extra columns kept aside: {', '.join(self.extra_columns)}")
        if len(self.nonresponse):
            lines.append("Item non-response among kept rows:")
            lines += ["  " + line for line in self.nonresponse.to_string(index=False).split("\n")]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        frames = self.to_frames()
        parts = [f"<h4>Ingest report for {html.escape(self.source)}</h4>"]
        for title, name in (
            ("Rows", "summary"),
            ("Rejected rows by rule", "reasons"),
            ("Item non-response among kept rows", "nonresponse"),
            ("Extra columns kept aside", "extra_columns"),
        ):
            if len(frames[name]):
                parts.append(f"<h5>{title}</h5>{frames[name].to_html(index=False)}")
        return "\n".join(parts)


@dataclass(frozen=True, eq=False)
class Survey:
    """Respondents read from a survey file, and every row that was not kept.

    Attributes
    ----------
    data : DataFrame
        Kept respondents, indexed by ``row`` (the 1-based data row in the file).
        With a codebook: single-choice questions are categoricals over the
        options (ordered for scales; missing codes and blanks are NA),
        integers ``Int64``, ids and free text ``string``, and a multi-select
        question one nullable ``boolean`` column per option (all NA when none
        was ticked); derived ``age_band`` and ``sex`` come last. Without a
        codebook: every column as found, surrounding whitespace removed and
        blanks NA, as ``Int64``/``Float64`` where every value is a number, else
        ``string``.
    rejected : DataFrame
        Rows not kept: ``row``, the original cell values as strings, and
        ``reason`` naming every rule broken, with column and value.
    codebook : Codebook or None
        The codebook used (None: no rules were applied but blank rows).
    n_read : int
        Data rows read; always ``len(data) + len(rejected)``.
    source : Path
        The file read.
    extra_columns : DataFrame
        Columns the codebook does not know, for the kept rows (as ``string``).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> file = pathlib.Path(tempfile.mkdtemp()) / "a.csv"
    >>> _ = file.write_text("id,age\\nA1,14\\nA2,15.5\\n")
    >>> survey = read_survey(file)
    >>> survey.data.dtypes.astype(str).tolist()
    ['string', 'Float64']
    """

    data: pd.DataFrame
    rejected: pd.DataFrame
    codebook: Codebook | None
    n_read: int
    source: Path
    extra_columns: pd.DataFrame
    _report: IngestReport = field(repr=False)

    def report(self) -> IngestReport:
        """Rows read, kept and rejected by rule; item non-response; extra columns.

        Examples
        --------
        >>> import listening as yl
        >>> report = yl.load_sample().report()
        >>> report.n_read == report.n_kept + report.n_rejected
        True
        """
        return self._report

    def __repr__(self) -> str:
        return (
            f"Survey(source={str(self.source)!r}, n_read={self.n_read}, "
            f"kept={len(self.data)}, rejected={len(self.rejected)})"
        )


def read_survey(
    source: Source,
    codebook: Codebook | str | Path | bytes | None = None,
    *,
    limits: IngestLimits = DEFAULT_LIMITS,
    name: str | None = None,
) -> Survey:
    """Read a survey file, check every row against the codebook, keep or reject it.

    Parameters
    ----------
    source : str, Path, bytes or binary file object
        A ``.csv`` (UTF-8 with or without BOM, else Windows-1252/Latin-1),
        ``.xlsx`` (first sheet), ``.sav`` (SPSS; value labels are used) or
        ``.parquet`` file, header in the first row: its path, or its content
        in memory (``bytes`` or a binary file object, with ``name``). Content
        in memory is never written to disk.
    codebook : Codebook, str, Path, bytes or None
        The codebook, the path of its YAML file, or its YAML as ``bytes`` (see
        :func:`~listening.ingest.codebook.load_codebook`). None reads the file
        without rules: every non-blank row is kept, nothing is inferred about
        ids, columns become numbers where every value is a number, else strings.
    limits : IngestLimits, optional
        Caps on the file's size, rows, columns and cells; a file over any is
        refused. Default :data:`~listening.ingest.limits.DEFAULT_LIMITS`
        (generous); use :data:`~listening.ingest.limits.UPLOAD_LIMITS` for
        files uploaded by others.
    name : str, optional
        The file name (e.g. ``"upload.xlsx"``), needed for content in memory:
        its extension gives the format, and messages name it.

    Returns
    -------
    Survey

    Raises
    ------
    IngestError
        The file is missing, empty, unreadable, of an unsupported type or over
        a limit, or lacks the id column or a required column.
    CodebookError
        The codebook cannot be loaded.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from listening.ingest.codebook import codebook_from_dict
    >>> cb = codebook_from_dict({"id_column": "id", "questions": [
    ...     {"name": "id", "type": "id"},
    ...     {"name": "safe", "type": "single", "options": ["Yes", "No"]}]})
    >>> file = pathlib.Path(tempfile.mkdtemp()) / "a.csv"
    >>> _ = file.write_text("id,safe\\nA1, yes\\nA2,Maybe\\nA1,No\\n")
    >>> survey = read_survey(file, cb)
    >>> survey.data["safe"].tolist()
    ['Yes']
    >>> for reason in survey.rejected["reason"]:
    ...     print(reason)
    safe: 'Maybe' is not an option (known: Yes, No)
    id: 'A1' repeats the id of row 1
    >>> from listening.ingest.limits import UPLOAD_LIMITS
    >>> upload = read_survey(b"id,safe\\nB1,No\\n", cb, limits=UPLOAD_LIMITS, name="up.csv")
    >>> upload.source.name, upload.data["safe"].tolist()
    ('up.csv', ['No'])
    """
    shown = name or (str(source) if isinstance(source, str | os.PathLike) else "(in memory)")
    if isinstance(codebook, str | Path | bytes):
        book = load_codebook(codebook)
    else:
        book = codebook
    if book is not None and not isinstance(book, Codebook):
        raise CodebookError(
            f"read_survey({shown!r}, codebook=...) got a {type(book).__name__}; pass a "
            "Codebook (listening.load_codebook(path)), the path of a codebook YAML file, "
            "its YAML as bytes, or None."
        )
    raw = read_table(source, limits=limits, name=name)
    file = raw.source
    if book is None:
        return _assemble(raw, None, _untyped(raw), {}, [], {})
    found = match_columns(raw.names, book, str(file))
    parsed = [_parse(q, raw, found, book) for q in book.questions.values()]
    findings = [f for p in parsed for f in p.findings]
    findings += [
        required_blank(c, raw.codes[found[c]], raw.uniques[found[c]])
        for c in book.required_columns
        if c in found
        and c not in (book.id_column, book.consent_column)
        and book.questions[c].type != "multi"
    ]
    used = set(found.values())
    extras = {n: i for i, n in enumerate(raw.names) if i not in used}
    return _assemble(raw, book, parsed, extras, findings, found)


def _parse(q: Question, raw: RawTable, found: dict[str, int], book: Codebook) -> Parsed:
    if q.type == "multi":
        if q.name in found or any(c in found for c in q.option_columns.values()):
            return parse_multi(q, raw, found)
        return parse_multi(q, _blank_table(raw, q.name), {q.name: 0})
    if q.name not in found:
        blank = _blank_table(raw, q.name)
        return parse_question(q, blank.codes[0], blank.uniques[0], {})
    position = found[q.name]
    codes, uniques = raw.codes[position], raw.uniques[position]
    if q.name == book.district_column:  # the codebook's area codes (ONS) name districts too
        area_codes = {code: name for name, code in book.districts.items() if code}
        q = replace(q, codes={**area_codes, **q.codes})
    return parse_question(
        q,
        codes,
        uniques,
        raw.value_labels.get(raw.names[position], {}),
        what="a district" if q.name == book.district_column else "an option",
        bounds=(book.age_min, book.age_max) if q.name == book.age_column else None,
        consent=book.consent_value if q.name == book.consent_column else None,
        identifier=q.name == book.id_column,
    )


def _blank_table(raw: RawTable, name: str) -> RawTable:
    codes = np.zeros(raw.n_rows, dtype=np.int64)
    return RawTable(raw.source, [name], [codes], [np.array([""], dtype=object)], raw.n_rows)


def _untyped(raw: RawTable) -> list[Parsed]:
    """Without a codebook: each column as numbers if every value is one, else strings."""
    return [
        Parsed(
            Question(name=name, wording=name, type="text"),
            np.zeros(0, dtype=np.int8),
            [],
            _untyped_builder(name, raw.codes[i], raw.uniques[i]),
        )
        for i, name in enumerate(raw.names)
    ]


def _untyped_builder(name: str, codes: np.ndarray, uniques: np.ndarray) -> Any:
    tidied = [u.strip() for u in uniques]
    filled = [t for t in tidied if t]
    if any(_LEADING_ZERO.match(t) for t in filled):  # codes such as "007" stay text
        filled = []
    if filled and all(_WHOLE.fullmatch(t) for t in filled):
        values = pd.array([int(float(t)) if t else None for t in tidied], dtype="Int64")
    elif filled and all(_NUMBER.fullmatch(t) for t in filled):
        values = pd.array([float(t) if t else None for t in tidied], dtype="Float64")
    else:
        values = pd.array([t or None for t in tidied], dtype="string")
    return lambda keep: {name: values.take(codes[keep])}


def _blank_rows(raw: RawTable) -> np.ndarray:
    """Rows with nothing in any cell, narrowed column by column (fewest values first)."""
    candidates = np.arange(raw.n_rows)
    for position in np.argsort([len(u) for u in raw.uniques], kind="stable"):
        blank = tidy_all(raw.uniques[position], collapse=False) == ""
        candidates = candidates[blank[raw.codes[position][candidates]]]
        if not len(candidates):
            break
    return candidates


def _assemble(
    raw: RawTable,
    book: Codebook | None,
    parsed: list[Parsed],
    extras: dict[str, int],
    findings: list[Finding],
    found: dict[str, int],
) -> Survey:
    n = raw.n_rows
    special = np.zeros(n, dtype=bool)
    blank_rows = _blank_rows(raw)
    special[blank_rows] = True
    malformed = np.array(sorted(raw.malformed), dtype=np.int64)
    special[malformed] = True
    kept_findings = [
        Finding(f.rule, f.column, f.rows[~special[f.rows]], f.messages[~special[f.rows]])
        for f in findings
    ]
    kept_findings = [
        Finding("blank row", "", blank_rows, np.full(len(blank_rows), BLANK_ROW, dtype=object)),
        Finding(
            "malformed row",
            "",
            malformed,
            np.array([raw.malformed[r] for r in malformed], dtype=object),
        ),
        *kept_findings,
    ]
    rejected_mask = special.copy()
    for f in kept_findings:
        rejected_mask[f.rows] = True
    kept_rows = np.flatnonzero(~rejected_mask)
    # Kept positions; a slice when every row is kept saves a copy of each column.
    keep: Rows = slice(None) if len(kept_rows) == n else kept_rows
    data = pd.DataFrame(
        {name: column for p in parsed for name, column in p.build(keep).items()},
        index=pd.Index(kept_rows + 1, name="row"),
    )
    if book is not None:
        data = _derive(data, book)
    extra = pd.DataFrame(
        {
            name: pd.array([u.strip() or None for u in raw.uniques[i]], dtype="string").take(
                raw.codes[i][keep]
            )
            for name, i in extras.items()
        },
        index=data.index,
    )
    report = IngestReport(
        source=str(raw.source),
        n_read=n,
        n_kept=len(kept_rows),
        n_rejected=n - len(kept_rows),
        reasons=_reason_counts(kept_findings),
        nonresponse=_nonresponse(parsed, keep, book, found),
        extra_columns=tuple(extras),
        encoding=raw.encoding,
    )
    return Survey(
        data=data,
        rejected=_rejected(raw, np.flatnonzero(rejected_mask), kept_findings),
        codebook=book,
        n_read=n,
        source=raw.source,
        extra_columns=extra,
        _report=report,
    )


def _rejected(raw: RawTable, rows: np.ndarray, findings: list[Finding]) -> pd.DataFrame:
    """The rejected rows' original cells, their row numbers and every reason, in column order."""
    names = [f"{n} (file)" if n in ("row", "reason") else n for n in raw.names]
    columns = {"row": rows + 1}
    for name, codes, uniques in zip(names, raw.codes, raw.uniques, strict=True):
        columns[name] = uniques[codes[rows]]
    broken = np.concatenate([f.rows for f in findings]).astype(np.int64)
    order = np.argsort(broken, kind="stable")  # keeps the findings' order within a row
    broken = broken[order]
    messages = np.concatenate([f.messages for f in findings])[order].tolist()
    starts = np.flatnonzero(np.diff(broken, prepend=-1))
    ends = np.r_[starts[1:], len(broken)][: len(starts)]
    reasons = np.array(["; ".join(messages[a:b]) for a, b in zip(starts, ends, strict=True)])
    columns["reason"] = reasons[np.searchsorted(broken[starts], rows)].astype(object)
    return pd.DataFrame(columns)


def _reason_counts(findings: list[Finding]) -> pd.DataFrame:
    counts = pd.DataFrame(
        [(f.rule, f.column, len(f.rows)) for f in findings if len(f.rows)],
        columns=["rule", "column", "rows"],
    )
    return counts.groupby(["rule", "column"], sort=False, as_index=False)["rows"].sum()


def _nonresponse(
    parsed: list[Parsed], keep: Rows, book: Codebook | None, found: dict[str, int]
) -> pd.DataFrame:
    if book is None:
        return pd.DataFrame(columns=["question", "answered", "blank", "in_file"])
    codes = list(dict.fromkeys(m for q in book.questions.values() for m in q.missing))
    records = []
    for p in parsed:
        q = p.question
        if q.type == "id":
            continue
        counts = np.bincount(p.status[keep], minlength=2 + len(q.missing))
        record: dict[str, Any] = {
            "question": q.name,
            "answered": int(counts[0]),
            "blank": int(counts[1]),
        }
        for code in codes:
            record[code] = int(counts[2 + q.missing.index(code)]) if code in q.missing else pd.NA
        record["in_file"] = any(c in found for c in [q.name, *q.option_columns.values()])
        records.append(record)
    frame = pd.DataFrame.from_records(records)
    for code in codes:
        frame[code] = frame[code].astype("Int64")
    return frame


def _derive(data: pd.DataFrame, book: Codebook) -> pd.DataFrame:
    """Add the age band and the weighting class ``sex`` derived from gender."""
    derived = {}
    if book.age_bands and book.age_column in data:
        ages = data[book.age_column].to_numpy(dtype="float64", na_value=np.nan)
        band = np.full(len(ages), -1, dtype=np.int64)
        for i, (_, low, high) in enumerate(book.age_bands):
            band[(ages >= low) & (ages <= high)] = i
        derived[book.age_band_column] = pd.Categorical.from_codes(
            band, book.age_band_labels, ordered=True
        )
    weighting = book.weighting
    source = weighting.get("sex_from")
    if weighting.get("sex_column") and source in data:
        mapping = {str(k): str(v) for k, v in weighting.get("sex_map", {}).items()}
        unknown = str(weighting.get("sex_unknown", "Not known"))
        labels = list(dict.fromkeys([*mapping.values(), unknown]))
        answers = data[source].astype("category").cat
        lookup = np.array(
            [labels.index(mapping.get(c, unknown)) for c in answers.categories]
            + [labels.index(unknown)],
            dtype=np.int64,
        )
        derived[weighting["sex_column"]] = pd.Categorical.from_codes(
            lookup[answers.codes.to_numpy()], labels
        )
    if not derived:
        return data
    if any(name in data for name in derived):
        raise CodebookError(
            f"Codebook {book.path}: derived columns {list(derived)} clash with question names; "
            "rename the age band or sex column in the codebook."
        )
    return data.assign(**{name: pd.Series(v, index=data.index) for name, v in derived.items()})
