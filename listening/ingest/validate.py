"""Row rules: normalise each column's answers and find the rows that break a rule.

Every function here works on a column's *distinct* values (a
:class:`~listening.ingest.readers.RawTable` stores each once with a code per row), so
a rule costs one Python call per distinct value and numpy indexing per row.

Answers are matched on a normalised key: surrounding whitespace removed,
internal runs of whitespace collapsed, case folded, curly quotes made
straight. A key matches an option or missing code of the question, one of the
question's ``codes`` (numeric codes, ONS codes, ``Y10``), or, for SPSS files,
the value label of the raw value. Nothing else is guessed.

Examples
--------
>>> key("  Don\u2019t   KNOW ")
"don't know"
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from listening.errors import CodebookError, IngestError
from listening.ingest.codebook import Codebook, Question
from listening.ingest.readers import RawTable

_STRAIGHT = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201f": '"',
        "\u2033": '"',
    }
)
_WHOLE = re.compile(r"[+-]?\d{1,15}(?:\.0*)?")
TICKED = frozenset({"1", "yes", "y", "true", "t", "ticked", "checked", "selected", "x"})
UNTICKED = frozenset(
    {"", "0", "no", "n", "false", "f", "not ticked", "unticked", "unchecked", "not selected"}
)
BLANK, UNKNOWN = -1, -2
Rows = np.ndarray | slice  # kept row positions, or slice(None) for every row


def key(text: str) -> str:
    """The normalised form answers are matched on (whole numbers lose any ``.0``).

    Examples
    --------
    >>> key(" Fairly   Safe "), key("1.0")
    ('fairly safe', '1')
    """
    folded = " ".join(text.translate(_STRAIGHT).split()).casefold()
    return str(int(float(folded))) if _WHOLE.fullmatch(folded) else folded


def tidy_all(values: np.ndarray, *, collapse: bool = True) -> np.ndarray:
    """:func:`tidy` (or, with ``collapse=False``, strip) every value of an object array.

    Values that are plain printable ASCII without stray spaces are left as
    they are (found by one vectorised regex); only the rest go through Python.

    Examples
    --------
    >>> tidy_all(np.array(["A1", " A 2", "B\t 3"], dtype=object)).tolist()
    ['A1', 'A 2', 'B 3']
    """
    pattern = r"^ | $|  |[^ -~]" if collapse else r"^ | $|[^ -~]"
    odd = pc.match_substring_regex(pa.array(values, type=pa.string()), pattern)
    out = values.copy()
    for i in np.flatnonzero(odd.to_numpy(zero_copy_only=False)):
        out[i] = tidy(values[i]) if collapse else values[i].strip()
    return out


def tidy(text: str) -> str:
    """Surrounding whitespace removed and internal runs collapsed (case kept).

    Examples
    --------
    >>> tidy("  YL  00001 ")
    'YL 00001'
    """
    return " ".join(text.split())


@dataclass
class Finding:
    """Rows breaking one rule in one column, with a message per row.

    Examples
    --------
    >>> f = Finding("no consent", "consent", np.array([3]), np.array(["consent: blank"]))
    >>> f.rows.tolist()
    [3]
    """

    rule: str
    column: str
    rows: np.ndarray
    messages: np.ndarray


@dataclass
class Parsed:
    """A question read from the raw table: its findings, non-response and columns.

    ``status`` says per row whether the question was answered (0), left blank
    (1) or answered with missing code ``j`` (``2 + j``). ``build`` turns the
    kept row positions (an integer array, or a slice for all rows) into the
    question's typed data column(s).

    Examples
    --------
    >>> from listening.ingest.codebook import Question
    >>> q = Question(name="q", wording="q", type="text")
    >>> p = parse_question(q, np.array([0, 1]), np.array(["", "hi"], dtype=object), {})
    >>> p.build(np.array([0, 1]))["q"].tolist()
    [<NA>, 'hi']
    """

    question: Question
    status: np.ndarray
    findings: list[Finding]
    build: Callable[[Rows], dict[str, pd.api.extensions.ExtensionArray]]


def finding(rule: str, column: str, codes: np.ndarray, messages: Sequence[str | None]) -> Finding:
    """Rows whose distinct value has a message (``None`` = no problem).

    Examples
    --------
    >>> f = finding("r", "c", np.array([0, 1, 0]), ["bad", None])
    >>> f.rows.tolist(), f.messages.tolist()
    ([0, 2], ['bad', 'bad'])
    """
    per_unique = np.array(list(messages) + [None], dtype=object)
    bad = np.array([m is not None for m in messages], dtype=bool)
    rows = np.flatnonzero(bad[codes]) if bad.any() else np.zeros(0, dtype=np.int64)
    return Finding(rule, column, rows, per_unique[codes[rows]])


def match_columns(names: list[str], codebook: Codebook, source: str) -> dict[str, int]:
    """Map the codebook's column names to positions in the file's header.

    Names match exactly, else ignoring case. A multi-select question is found
    either as one delimited column (its name) or one column per option.

    Raises
    ------
    IngestError
        If the id column or a required column is missing (close matches are
        suggested), or a multi-select question is half in one form, half in the other.

    Examples
    --------
    >>> from listening.ingest.codebook import load_codebook
    >>> cb = load_codebook()
    >>> names = ["Respondent_ID", "consent", "age", "district", "school"]
    >>> match_columns(names, cb, "f.csv")["respondent_id"]
    0
    """
    exact = {name: i for i, name in enumerate(names)}
    folded = {name.casefold(): i for i, name in enumerate(names)}

    def find(wanted: str) -> int | None:
        return exact.get(wanted, folded.get(wanted.casefold()))

    found: dict[str, int] = {}
    for q in codebook.questions.values():
        position = find(q.name)
        if position is not None:
            found[q.name] = position
        for column in q.option_columns.values():
            position = find(column)
            if position is not None:
                found[column] = position
        _check_multi_form(q, found, names, source)
    if codebook.id_column not in found:
        raise IngestError(
            f"Survey file {source} has no id column {codebook.id_column!r} (the codebook's "
            f"id_column){_suggest(codebook.id_column, names)}; columns found: "
            f"{_listing(names)}. Rename the id column to {codebook.id_column!r} or set "
            f"id_column in the codebook.{_separator_hint(names)}"
        )
    absent = [c for c in codebook.required_columns if not _present(codebook, c, found)]
    if absent:
        hints = "; ".join(f"{c!r}{_suggest(c, names)}" for c in absent)
        raise IngestError(
            f"Survey file {source} lacks required column(s) {hints}; columns found: "
            f"{_listing(names)}. Rename the columns to match the codebook, or add them."
        )
    return found


def _present(codebook: Codebook, column: str, found: dict[str, int]) -> bool:
    question = codebook.questions.get(column)
    columns = question.option_columns.values() if question else ()
    return column in found or any(c in found for c in columns)


def _check_multi_form(q: Question, found: dict[str, int], names: list[str], source: str) -> None:
    columns = list(q.option_columns.values())
    have = [c for c in columns if c in found]
    if not have:
        return
    if q.name in found:
        raise IngestError(
            f"Survey file {source} has both the delimited column {q.name!r} and option columns "
            f"such as {have[0]!r} for the question {q.name!r}; keep only one of the two forms."
        )
    lacking = [c for c in columns if c not in found]
    if lacking:
        hints = "; ".join(f"{c!r}{_suggest(c, names)}" for c in lacking)
        raise IngestError(
            f"Survey file {source} has option columns for {q.name!r} but lacks {hints}; add "
            f"one 0/1 column per option ({len(columns)} in all) or use one delimited column."
        )


def _suggest(wanted: str, names: list[str]) -> str:
    by_key = {n.casefold(): n for n in names}
    close = difflib.get_close_matches(wanted.casefold(), list(by_key), n=3, cutoff=0.6)
    return f" (did you mean {' or '.join(repr(by_key[c]) for c in close)}?)" if close else ""


def _listing(names: list[str], cap: int = 30) -> str:
    shown = ", ".join(map(repr, names[:cap]))
    return shown + (f", ... ({len(names) - cap} more)" if len(names) > cap else "")


def _separator_hint(names: list[str]) -> str:
    if len(names) == 1 and (";" in names[0] or "\t" in names[0]):
        return " The header looks separated by ';' or tabs: save the file as comma-separated CSV."
    return ""


def _known(labels: Sequence[str], cap: int = 10) -> str:
    shown = ", ".join(labels[:cap])
    return shown + (", ..." if len(labels) > cap else "")


def _close(value: str, labels: Sequence[str]) -> str:
    by_key = {key(label): label for label in labels}
    close = difflib.get_close_matches(key(value), list(by_key), n=1, cutoff=0.75)
    return f"; did you mean {by_key[close[0]]!r}?" if close else ""


# --- Answers to options ------------------------------------------------------


def lookup(question: Question) -> dict[str, int]:
    """Normalised spelling -> position in ``question.labels`` (options, then missing codes).

    Examples
    --------
    >>> from listening.ingest.codebook import load_codebook
    >>> table = lookup(load_codebook().question("school_year"))
    >>> table["y10"], table["10"], table["year 10"]
    (3, 3, 3)
    """
    labels = question.labels
    table = {key(label): i for i, label in enumerate(labels)}
    for code, label in question.codes.items():
        table.setdefault(key(code), labels.index(label))
    return table


def resolve(uniques: np.ndarray, table: dict[str, int], value_labels: dict[str, str]) -> np.ndarray:
    """Position in the labels of each distinct value; BLANK (-1) or UNKNOWN (-2).

    An SPSS value label is tried first, then the value itself.

    Examples
    --------
    >>> resolve(np.array(["Yes", " no ", "", "2", "?"], dtype=object),
    ...         {"yes": 0, "no": 1}, {"2": "No"}).tolist()
    [0, 1, -1, 1, -2]
    """
    out = np.empty(len(uniques), dtype=np.int64)
    for i, value in enumerate(uniques):
        tidied = value.strip()
        if not tidied:
            out[i] = BLANK
            continue
        label = value_labels.get(tidied)
        found = table.get(key(label)) if label is not None else None
        out[i] = found if found is not None else table.get(key(value), UNKNOWN)
    return out


def parse_question(
    question: Question,
    codes: np.ndarray,
    uniques: np.ndarray,
    value_labels: dict[str, str],
    *,
    what: str = "an option",
    bounds: tuple[int, int] | None = None,
    consent: str | None = None,
    identifier: bool = False,
) -> Parsed:
    """Read a single, integer, id or text question from one raw column.

    ``what`` names an option in messages ("a district"); ``bounds`` is the
    allowed range of an integer; ``consent`` is the one answer a consent
    question accepts (anything else breaks the "no consent" rule).

    Examples
    --------
    >>> from listening.ingest.codebook import load_codebook
    >>> q = load_codebook().question("safe_dark")
    >>> raw = np.array(["very SAFE", "Don\u2019t know", "Scary"], dtype=object)
    >>> p = parse_question(q, np.array([0, 1, 2]), raw, {})
    >>> p.findings[0].messages[0]
    "safe_dark: 'Scary' is not an option (known: Very safe, Fairly safe, Fairly unsafe, \
Very unsafe, Don't know)"
    >>> p.build(np.array([0, 1]))["safe_dark"].tolist()
    ['Very safe', nan]
    """
    if question.type == "single":
        return _single(question, codes, uniques, value_labels, what, consent)
    if question.type == "integer":
        return _integer(question, codes, uniques, bounds)
    return _strings(question, codes, uniques, identifier)


def _single(
    q: Question,
    codes: np.ndarray,
    uniques: np.ndarray,
    labels: dict[str, str],
    what: str,
    consent: str | None,
) -> Parsed:
    position = resolve(uniques, lookup(q), labels)
    shown = np.array([labels.get(v.strip(), v) for v in uniques], dtype=object)
    if consent is None:
        rule = "unknown district" if what == "a district" else "unknown option"
        messages = [
            f"{q.name}: {value!r} is not {what} (known: {_known(q.labels)})"
            f"{_close(value, q.labels)}"
            if found == UNKNOWN
            else None
            for value, found in zip(shown, position, strict=True)
        ]
    else:
        rule, messages = "no consent", _consent_messages(q, shown, position, consent)
    n_options = len(q.options)
    answered = (position >= 0) & (position < n_options)
    category = np.where(answered, position, -1)
    status = np.where(position >= n_options, 2 + position - n_options, ~answered).astype(np.int8)

    def build(keep: Rows) -> dict[str, pd.api.extensions.ExtensionArray]:
        kept = category[codes[keep]]
        return {q.name: pd.Categorical.from_codes(kept, q.options, q.ordered, validate=False)}

    return Parsed(q, status[codes], [finding(rule, q.name, codes, messages)], build)


def _consent_messages(
    q: Question, uniques: np.ndarray, position: np.ndarray, value: str
) -> list[str | None]:
    if value not in q.labels:
        raise CodebookError(
            f"Codebook: consent value {value!r} is not an option of {q.name!r} "
            f"({', '.join(q.labels)}); correct consent.value."
        )
    target = q.labels.index(value)
    return [
        None
        if found == target
        else f"{q.name}: blank, not {value!r}"
        if found == BLANK
        else f"{q.name}: {raw!r} is not {value!r}"
        for raw, found in zip(uniques, position, strict=True)
    ]


def _integer(
    q: Question, codes: np.ndarray, uniques: np.ndarray, bounds: tuple[int, int] | None
) -> Parsed:
    tidied = [value.strip() for value in uniques]
    whole = np.array([bool(_WHOLE.fullmatch(t)) for t in tidied], dtype=bool)
    numbers = np.array(
        [int(float(t)) if w else 0 for t, w in zip(tidied, whole, strict=True)], dtype=np.int64
    )
    findings = [
        finding(
            "not a whole number",
            q.name,
            codes,
            [
                f"{q.name}: {v!r} is not a whole number" if t and not w else None
                for v, t, w in zip(uniques, tidied, whole, strict=True)
            ],
        )
    ]
    if bounds is not None:
        low, high = bounds
        outside = [
            f"{q.name}: {n} is outside {low}-{high}" if w and not low <= n <= high else None
            for n, w in zip(numbers, whole, strict=True)
        ]
        findings.append(finding(f"{q.name} out of range", q.name, codes, outside))
    status = np.array([not t for t in tidied], dtype=np.int8)[codes]

    def build(keep: Rows) -> dict[str, pd.api.extensions.ExtensionArray]:
        kept = codes[keep]
        return {q.name: pd.arrays.IntegerArray(numbers[kept], ~whole[kept])}

    return Parsed(q, status, findings, build)


def _strings(q: Question, codes: np.ndarray, uniques: np.ndarray, identifier: bool) -> Parsed:
    tidied = tidy_all(uniques, collapse=q.type == "id")
    blank = tidied == ""
    values = pd.array(pa.array(tidied, type=pa.string(), mask=blank), dtype="string")
    status = blank.astype(np.int8)[codes]
    findings = _identifiers(q.name, codes, uniques, tidied, blank) if identifier else []

    def build(keep: Rows) -> dict[str, pd.api.extensions.ExtensionArray]:
        return {q.name: values.take(codes[keep])}

    return Parsed(q, status, findings, build)


def _identifiers(
    column: str, codes: np.ndarray, uniques: np.ndarray, tidied: np.ndarray, blank: np.ndarray
) -> list[Finding]:
    """Rows without an id, and rows repeating an earlier row's id (the first is kept)."""
    missing = np.flatnonzero(blank[codes])
    if (tidied == uniques).all():  # uniques are distinct, so the tidied ids are too
        row_id, ids = codes, tidied
    else:
        same, ids = pd.factorize(tidied)
        row_id = same[codes]
    shared = (np.bincount(row_id, minlength=len(ids)) > 1) & (ids != "")
    rows, messages = np.zeros(0, dtype=np.int64), []
    if shared.any():
        repeated = pd.Series(row_id).duplicated().to_numpy() & shared[row_id]
        first = np.zeros(len(ids), dtype=np.int64)
        originals = np.flatnonzero(~repeated)
        first[row_id[originals]] = originals
        rows = np.flatnonzero(repeated)
        messages = [
            f"{column}: {ids[i]!r} repeats the id of row {first[i] + 1}" for i in row_id[rows]
        ]
    return [
        Finding("missing id", column, missing, np.full(len(missing), f"{column}: missing id")),
        Finding("duplicate id", column, rows, np.array(messages, dtype=object)),
    ]


def required_blank(column: str, codes: np.ndarray, uniques: np.ndarray) -> Finding:
    """Rows leaving a required column blank.

    Examples
    --------
    >>> required_blank("school", np.array([0, 1]), np.array(["CAM01", " "], dtype=object)).rows
    array([1])
    """
    messages = [None if v.strip() else f"{column}: blank, but it is required" for v in uniques]
    return finding("blank required", column, codes, messages)


# --- Multi-select ------------------------------------------------------------


def parse_multi(q: Question, raw: RawTable, found: dict[str, int]) -> Parsed:
    """Read a tick-all-that-apply question, delimited or one 0/1 column per option.

    Examples
    --------
    >>> from pathlib import Path
    >>> from listening.ingest.codebook import load_codebook
    >>> q = load_codebook().question("worries")
    >>> raw = RawTable.from_columns(Path("x.csv"), ["worries"],
    ...                             [["gangs; Knife crime", "", "None of these|Gangs"]])
    >>> p = parse_multi(q, raw, {"worries": 0})
    >>> p.build(np.array([0, 1]))["worries__gangs"].tolist()
    [True, <NA>]
    >>> p.findings[-1].messages.tolist()
    ["worries: 'None of these' is ticked with other options"]
    """
    findings: list[Finding] = []
    if q.name in found:
        position = found[q.name]
        codes, uniques = raw.codes[position], raw.uniques[position]
        masks, messages = _split_all(q, uniques)
        findings.append(finding("unknown option", q.name, codes, messages))
        mask = masks[codes]
    else:
        mask = np.zeros(raw.n_rows, dtype=np.int64)
        for bit, (option, column) in enumerate(q.option_columns.items()):
            position = found[column]
            codes, uniques = raw.codes[position], raw.uniques[position]
            ticked, messages = _ticks(column, option, uniques, raw.value_labels.get(column, {}))
            findings.append(finding("unknown option", column, codes, messages))
            mask |= ticked[codes].astype(np.int64) << bit
    findings.extend(_exclusive(q, mask))
    n_options = len(q.options)
    answered = (mask & ((1 << n_options) - 1)) != 0
    status = np.ones(len(mask), dtype=np.int8)
    for j in reversed(range(len(q.missing))):
        status[((mask >> (n_options + j)) & 1) == 1] = 2 + j
    status[answered] = 0

    def build(keep: Rows) -> dict[str, pd.api.extensions.ExtensionArray]:
        kept, none = mask[keep], ~answered[keep]
        return {
            column: pd.arrays.BooleanArray(((kept >> bit) & 1).astype(bool), none.copy())
            for bit, column in enumerate(q.option_columns.values())
        }

    return Parsed(q, status, findings, build)


def _split_all(q: Question, uniques: np.ndarray) -> tuple[np.ndarray, list[str | None]]:
    table = lookup(q)
    masks = np.zeros(len(uniques), dtype=np.int64)
    messages: list[str | None] = []
    for i, value in enumerate(uniques):
        mask, unknown = _split(value, table)
        masks[i] = mask
        messages.append(
            f"{q.name}: {', '.join(map(repr, unknown))} "
            f"{'is not an option' if len(unknown) == 1 else 'are not options'} "
            f"(known: {_known(q.labels)}){_close(unknown[0], q.labels)}"
            if unknown
            else None
        )
    return masks, messages


def _split(value: str, table: dict[str, int]) -> tuple[int, list[str]]:
    """Ticked options of one delimited cell (';', '|' or ',' between labels)."""
    whole = table.get(key(value))
    if whole is not None:
        return 1 << whole, []
    mask, unknown = 0, []
    for token in re.split(r"[;|]", value):
        if not token.strip():
            continue
        found = table.get(key(token))
        parts = (
            [found]
            if found is not None
            else [table.get(key(part)) for part in token.split(",") if part.strip()]
        )
        if None in parts:
            unknown.append(token.strip())
            continue
        for part in parts:
            mask |= 1 << part
    return mask, unknown


def _ticks(
    column: str, option: str, uniques: np.ndarray, value_labels: dict[str, str]
) -> tuple[np.ndarray, list[str | None]]:
    def state(text: str) -> bool | None:
        k = key(text)
        return True if k in TICKED or k == key(option) else False if k in UNTICKED else None

    ticked = np.zeros(len(uniques), dtype=bool)
    messages: list[str | None] = []
    for i, value in enumerate(uniques):
        label = value_labels.get(value.strip())
        found = state(label) if label is not None else None
        found = state(value) if found is None else found
        ticked[i] = bool(found)
        shown = value if label is None else label
        messages.append(
            None
            if found is not None
            else f"{column}: {shown!r} is not a tick (use 1/0, Yes/No, True/False or {option!r})"
        )
    return ticked, messages


def _exclusive(q: Question, mask: np.ndarray) -> list[Finding]:
    findings = []
    for option in q.exclusive:
        bit = 1 << q.labels.index(option)
        rows = np.flatnonzero(((mask & bit) != 0) & ((mask & ~bit) != 0))
        message = f"{q.name}: {option!r} is ticked with other options"
        findings.append(
            Finding("exclusive option", q.name, rows, np.full(len(rows), message, dtype=object))
        )
    return findings
