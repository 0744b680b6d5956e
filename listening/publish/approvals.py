"""Quotes only after review: candidates for a reviewer, approvals, and what may be published.

Redaction is a safety net, not a licence to publish. The round trip:

1. :func:`candidates` draws answers from each theme x group pool with at
   least ``min_base`` answers, redacts them and marks what was removed;
   :func:`write_review` saves them as a CSV file for a reviewer (``listening
   quotes FILE --out review.csv``). The file holds the original answers: keep
   it where the survey data are kept.
2. The reviewer fills ``decision`` in each row: ``approve`` (publish the
   redacted quote), ``edit`` (publish ``edited_quote`` instead) or
   ``reject``; rows left blank are undecided.
3. :func:`record_approvals` checks the file against the survey and adds the
   approved quotes to an approvals file (``listening quotes FILE --approve
   review.csv --approvals approvals.csv``), keyed by respondent id and a
   hash of the original answer (:func:`text_hash`).
4. :func:`publishable` returns the approved quotes whose answers are still
   the same (an edited source invalidates its approval) and whose theme x
   group pool still has at least ``min_base`` answers. The explorer and
   :func:`listening.publish.briefing.write_briefing` publish only these.

Examples
--------
>>> import pandas as pd
>>> data = pd.DataFrame({"id": [f"R{i}" for i in range(12)],
...                      "text": ["more lights, ask jake"] * 12, "area": ["Ely"] * 12})
>>> review = candidates(data, "text", id_column="id", coding_frame={"Lights": ("light",)},
...                     by="area", per_pool=1)
>>> review[["group", "theme", "quote", "removed"]].values.tolist()
[['Ely', 'Lights', 'more lights, ask [name]', 'name: jake']]
>>> review["decision"] = "approve"
>>> approved = record_approvals(review, None, data, "text", id_column="id")
>>> publishable(approved, data, "text", id_column="id",
...             coding_frame={"Lights": ("light",)}, by="area")["quote"].tolist()
['more lights, ask [name]']
>>> data.loc[data["id"] == approved["respondent_id"][0], "text"] = "changed"
>>> len(publishable(approved, data, "text", id_column="id",
...                 coding_frame={"Lights": ("light",)}, by="area"))
0
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import pandas as pd

from listening.errors import ReviewError
from listening.ingest.codebook import Codebook
from listening.publish.freetext import NOT_CODED, code_themes
from listening.publish.redact import apply, find_pii, identifier_patterns
from listening.publish.writers import formula_like, write_csv

ALL = "All"
DECISIONS = ("approve", "edit", "reject")
"""What a reviewer may write in ``decision`` (a blank is undecided)."""

REVIEW_COLUMNS = (
    "respondent_id",
    "text_hash",
    "by",
    "group",
    "theme",
    "pool",
    "original",
    "quote",
    "removed",
    "decision",
    "edited_quote",
)
"""Columns of the review file, in order."""

APPROVAL_COLUMNS = ("respondent_id", "text_hash", "by", "group", "theme", "quote", "approved")
"""Columns of the approvals file, in order."""


def redaction_options(codebook: Codebook, data: pd.DataFrame) -> dict[str, tuple[str, ...]]:
    """What redaction needs from a survey: its codebook's schools and its identifiers' shapes.

    Identifiers are the values of the codebook's ``id`` questions (respondent
    ids, school codes) found in ``data``, generalised by
    :func:`listening.publish.redact.identifier_patterns`.

    Returns
    -------
    dict
        ``schools`` and ``identifiers``, to pass to :func:`candidates` or
        :func:`listening.publish.redact.redact`.

    Examples
    --------
    >>> from listening.ingest.codebook import load_codebook
    >>> book = load_codebook()
    >>> options = redaction_options(book, pd.DataFrame({"respondent_id": ["YL00001"]}))
    >>> options["identifiers"], "Soham Village College" in options["schools"]
    (('[a-z]{2}\\\\d{5}',), True)
    """
    columns = [q.name for q in codebook.of_type("id") if q.name in data.columns]
    values = [v for c in columns for v in data[c].dropna().astype(str).unique()]
    return {"schools": tuple(codebook.schools), "identifiers": tuple(identifier_patterns(values))}


def text_hash(text: object) -> str:
    """SHA-256 of an answer as written (surrounding spaces aside), in hex.

    Examples
    --------
    >>> text_hash(" more lights ") == text_hash("more lights") != text_hash("More lights")
    True
    """
    return hashlib.sha256(str(text).strip().encode("utf-8")).hexdigest()


def candidates(
    data: pd.DataFrame,
    column: str,
    *,
    id_column: str,
    coding_frame: Mapping[str, Sequence[str]],
    by: str | None = None,
    min_base: int = 10,
    per_pool: int = 5,
    seed: int = 0,
    names: Iterable[str] = (),
    schools: Iterable[str] = (),
    identifiers: Iterable[str] = (),
) -> pd.DataFrame:
    """Candidate quotes for review: redacted answers from each big enough theme x group pool.

    Parameters
    ----------
    data : DataFrame
        Respondents, with ``id_column``, the free-text ``column`` and ``by``.
    column : str
        The free-text question.
    id_column : str
        The respondent id column (``codebook.id_column``).
    coding_frame : mapping of theme to keywords
        The question's coding frame; answers coded to no theme are not drawn.
    by : str, optional
        Grouping column; ``None`` draws from everyone (group "All").
    min_base : int, default 10
        A pool (answers in the group mentioning the theme) smaller than this
        gives no candidate.
    per_pool : int, default 5
        At most this many candidates per pool, drawn at random (fixed by
        ``seed``); an answer is drawn for one pool at most.
    seed : int, default 0
        Seed of the draw.
    names, schools, identifiers : iterable of str
        Passed to :func:`listening.publish.redact.find_pii`.

    Returns
    -------
    DataFrame
        :data:`REVIEW_COLUMNS`, with ``decision`` and ``edited_quote`` blank.

    Examples
    --------
    >>> data = pd.DataFrame({"id": range(9), "text": ["police"] * 9})
    >>> len(candidates(data, "text", id_column="id", coding_frame={"P": ("police",)}))
    0
    """
    for name in (id_column, column, *([by] if by else [])):
        if name not in data.columns:
            raise ReviewError(
                f"The survey has no column {name!r}; the codebook names it, so check that "
                "the survey file and the codebook belong together."
            )
    text = data[column].astype("string").str.strip()
    themes = code_themes(text, coding_frame).drop(columns=NOT_CODED)
    answered = text.notna() & (text != "")
    groups = data[by].astype("string") if by else pd.Series(ALL, index=data.index)
    options = {"names": tuple(names), "schools": tuple(schools), "identifiers": tuple(identifiers)}
    drawn: set = set()
    rows = []
    for group in sorted(groups[answered].dropna().unique()):
        in_group = answered & (groups == group)
        for theme in themes.columns:
            pool = in_group & themes[theme].fillna(False).astype(bool)
            size = int(pool.sum())
            if size < min_base:
                continue
            order = data.index[pool.to_numpy()].to_series().sample(frac=1.0, random_state=seed)
            chosen = [i for i in order if i not in drawn][:per_pool]
            drawn.update(chosen)
            for i in chosen:
                rows.append(
                    _candidate(data, i, text[i], id_column, by, group, theme, size, options)
                )
    return pd.DataFrame(rows, columns=list(REVIEW_COLUMNS))


def _candidate(data, i, original, id_column, by, group, theme, size, options) -> dict:
    found = find_pii(original, **options)
    return {
        "respondent_id": str(data.at[i, id_column]),
        "text_hash": text_hash(original),
        "by": by or "",
        "group": str(group),
        "theme": theme,
        "pool": size,
        "original": original,
        "quote": apply(original, found),
        "removed": "; ".join(f"{f.category}: {f.text}" for f in found),
        "decision": "",
        "edited_quote": "",
    }


def write_review(review: pd.DataFrame, path: str | Path) -> Path:
    """Write candidates (from :func:`candidates`) as a UTF-8 CSV file for a reviewer.

    Text that a spreadsheet would take for a formula gets a leading apostrophe
    (:func:`listening.publish.writers.write_csv`); :func:`read_review` drops it.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> data = pd.DataFrame({"id": range(10), "text": ["police"] * 10})
    >>> review = candidates(data, "text", id_column="id", coding_frame={"P": ("police",)})
    >>> out = write_review(review, pathlib.Path(tempfile.mkdtemp()) / "review.csv")
    >>> len(read_review(out))
    5
    """
    return write_csv(review.loc[:, list(REVIEW_COLUMNS)], path)


def read_review(path: str | Path) -> pd.DataFrame:
    """Read a review file back, checking its columns and decisions.

    Raises
    ------
    ReviewError
        If the file is missing, lacks a column, or a row's decision is not one
        of :data:`DECISIONS` (or blank), or an ``edit`` has no edited quote.

    Examples
    --------
    >>> read_review("no-such-review.csv")
    Traceback (most recent call last):
    ...
    listening.errors.ReviewError: Review file no-such-review.csv does not exist; \
write one with `listening quotes FILE --out review.csv`.
    """
    path = Path(path)
    if not path.is_file():
        raise ReviewError(
            f"Review file {path} does not exist; write one with "
            "`listening quotes FILE --out review.csv`."
        )
    try:
        review = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as err:
        raise ReviewError(
            f"Review file {path} is not a readable UTF-8 CSV file ({err}); "
            "save it as CSV UTF-8 from your spreadsheet program."
        ) from None
    missing = [c for c in REVIEW_COLUMNS if c not in review.columns]
    if missing:
        raise ReviewError(
            f"Review file {path} lacks the columns {missing}; keep the columns that "
            "`listening quotes` wrote and fill in only decision and edited_quote."
        )
    decision = review["decision"].str.strip().str.lower()
    for row, value in enumerate(decision, start=2):
        if value and value not in DECISIONS:
            raise ReviewError(
                f"Review file {path}, row {row}, column decision: {value!r} is not a "
                f"decision; write one of {', '.join(DECISIONS)}, or leave it blank."
            )
        if value == "edit" and not review["edited_quote"].iloc[row - 2].strip():
            raise ReviewError(
                f"Review file {path}, row {row}: decision is edit but edited_quote is "
                "blank; write the quote as it should be published, or approve or reject it."
            )
    review["decision"] = decision
    return _as_written(review)


def record_approvals(
    review: pd.DataFrame,
    approvals: pd.DataFrame | None,
    data: pd.DataFrame,
    column: str,
    *,
    id_column: str,
    today: dt.date | None = None,
    names: Iterable[str] = (),
    schools: Iterable[str] = (),
    identifiers: Iterable[str] = (),
) -> pd.DataFrame:
    """Add a review's approved and edited quotes to the approvals; drop its rejected ones.

    Parameters
    ----------
    review : DataFrame
        From :func:`read_review`.
    approvals : DataFrame or None
        Earlier approvals (:func:`read_approvals`), or ``None`` for none.
    data : DataFrame
        The survey the review was drawn from: every reviewed row must still
        match its respondent's answer (by :func:`text_hash`).
    column, id_column : str
        The free-text and respondent id columns.
    today : datetime.date, optional
        Date recorded in ``approved``. Default: today.
    names, schools, identifiers : iterable of str
        An edited quote must hold no personal detail that
        :func:`listening.publish.redact.find_pii` finds with these.

    Returns
    -------
    DataFrame
        :data:`APPROVAL_COLUMNS`, one row per respondent id and hash.

    Raises
    ------
    ReviewError
        If a reviewed answer is no longer in the survey as reviewed, or an
        edited quote still holds a personal detail.
    """
    current = dict(
        zip(
            data[id_column].astype(str),
            data[column].astype("string").fillna("").map(text_hash),
            strict=True,
        )
    )
    options = {"names": tuple(names), "schools": tuple(schools), "identifiers": tuple(identifiers)}
    rows, rejected = [], set()
    for row, record in enumerate(review.to_dict("records"), start=2):
        decision = str(record.get("decision", "")).strip().lower()
        if not decision:
            continue
        key = (str(record["respondent_id"]), str(record["text_hash"]))
        if current.get(key[0]) != key[1]:
            raise ReviewError(
                f"Review row {row}: respondent {key[0]}'s answer is not in the survey as "
                "reviewed (changed or removed); draw new candidates with `listening quotes`."
            )
        if decision == "reject":
            rejected.add(key)
            continue
        quote = str(record["edited_quote"] if decision == "edit" else record["quote"]).strip()
        left = find_pii(quote, **options) if decision == "edit" else []
        if left:
            found = "; ".join(f"{f.category}: {f.text}" for f in left)
            raise ReviewError(
                f"Review row {row}: the edited quote still holds personal details ({found}); "
                "remove them, or write [name], [school] and so on in their place."
            )
        rows.append(
            {
                "respondent_id": key[0],
                "text_hash": key[1],
                "by": record["by"],
                "group": record["group"],
                "theme": record["theme"],
                "quote": quote,
                "approved": (today or dt.date.today()).isoformat(),
            }
        )
    new = pd.DataFrame(rows, columns=list(APPROVAL_COLUMNS))
    old = approvals if approvals is not None else pd.DataFrame(columns=list(APPROVAL_COLUMNS))
    merged = pd.concat([old.astype(str), new.astype(str)], ignore_index=True)
    merged = merged.drop_duplicates(["respondent_id", "text_hash"], keep="last")
    keys = list(zip(merged["respondent_id"], merged["text_hash"], strict=True))
    return merged[[k not in rejected for k in keys]].reset_index(drop=True)


def write_approvals(approvals: pd.DataFrame, path: str | Path) -> Path:
    """Write approvals (from :func:`record_approvals`) as a UTF-8 CSV file.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> empty = pd.DataFrame(columns=list(APPROVAL_COLUMNS))
    >>> out = write_approvals(empty, pathlib.Path(tempfile.mkdtemp()) / "approvals.csv")
    >>> list(read_approvals(out).columns) == list(APPROVAL_COLUMNS)
    True
    """
    return write_csv(approvals.loc[:, list(APPROVAL_COLUMNS)], path)


def read_approvals(source: str | Path | bytes) -> pd.DataFrame:
    """Read an approvals file (a path, or its bytes as uploaded).

    Raises
    ------
    ReviewError
        If the file is missing, unreadable or lacks a column.

    Examples
    --------
    >>> read_approvals(b"respondent_id,text_hash\\n")
    Traceback (most recent call last):
    ...
    listening.errors.ReviewError: Approvals file (uploaded) lacks the columns ['by', 'group', \
'theme', 'quote', 'approved']; use a file written by `listening quotes --approve`.
    """
    where = "(uploaded)" if isinstance(source, bytes) else str(source)
    if not isinstance(source, bytes) and not Path(source).is_file():
        raise ReviewError(
            f"Approvals file {where} does not exist; write one with "
            "`listening quotes FILE --approve review.csv --approvals approvals.csv`."
        )
    handle = io.BytesIO(source) if isinstance(source, bytes) else source
    try:
        approvals = pd.read_csv(handle, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as err:
        raise ReviewError(
            f"Approvals file {where} is not a readable UTF-8 CSV file ({err}); "
            "use a file written by `listening quotes --approve`."
        ) from None
    missing = [c for c in APPROVAL_COLUMNS if c not in approvals.columns]
    if missing:
        raise ReviewError(
            f"Approvals file {where} lacks the columns {missing}; use a file written by "
            "`listening quotes --approve`."
        )
    return _as_written(approvals)


def _as_written(frame: pd.DataFrame) -> pd.DataFrame:
    """Undo the apostrophe that :func:`~listening.publish.writers.write_csv` puts before
    formula-like text, so "-more lights" reads back as written."""
    text = [c for c in ("original", "quote", "edited_quote", "group", "theme") if c in frame]
    for column in text:
        frame[column] = [
            v[1:] if v.startswith("'") and formula_like(v[1:]) else v for v in frame[column]
        ]
    return frame


def publishable(
    approvals: pd.DataFrame,
    data: pd.DataFrame,
    column: str,
    *,
    id_column: str,
    coding_frame: Mapping[str, Sequence[str]],
    by: str | None = None,
    min_base: int = 10,
) -> pd.DataFrame:
    """The approved quotes that may be published now, for one grouping.

    An approval counts only while its respondent's answer still has the
    approved hash. Each quote is labelled with its respondent's group under
    ``by`` (whatever grouping it was drawn for) and shown only while that
    theme x group pool in ``data`` has at least ``min_base`` answers.

    Returns
    -------
    DataFrame
        Columns ``group``, ``theme`` and ``quote``; no id or hash.

    Examples
    --------
    >>> empty = pd.DataFrame(columns=list(APPROVAL_COLUMNS))
    >>> publishable(empty, pd.DataFrame({"id": [], "t": []}), "t", id_column="id",
    ...             coding_frame={}).columns.tolist()
    ['group', 'theme', 'quote']
    """
    out = pd.DataFrame(columns=["group", "theme", "quote"])
    if approvals.empty or data.empty:
        return out
    text = data[column].astype("string").str.strip()
    ids = data[id_column].astype(str)
    hashes = dict(zip(ids, text.fillna("").map(text_hash), strict=True))
    themes = code_themes(text, coding_frame).drop(columns=NOT_CODED)
    groups = data[by].astype("string") if by else pd.Series(ALL, index=data.index)
    group_of = dict(zip(ids, groups, strict=True))
    answered = text.notna() & (text != "")
    keep = []
    for record in approvals.to_dict("records"):
        respondent = str(record["respondent_id"])
        if record["theme"] not in themes.columns or hashes.get(respondent) != record["text_hash"]:
            continue
        group = group_of[respondent]
        if pd.isna(group):
            continue
        pool = answered & (groups == group) & themes[record["theme"]].fillna(False)
        if int(pool.sum()) >= min_base:
            keep.append({"group": str(group), "theme": record["theme"], "quote": record["quote"]})
    return pd.DataFrame(keep, columns=out.columns) if keep else out
