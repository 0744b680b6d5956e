"""The questionnaire as data: load and validate a codebook.

A codebook (YAML) says which column is the respondent id, which columns a file
must have, the consent rule, the age range and bands, the districts, the sample
design (strata and clusters) and, per question, its wording, type, options,
missing codes, nets and (for free text) a keyword coding frame.

Examples
--------
>>> from listening.ingest.codebook import load_codebook
>>> cb = load_codebook()
>>> cb.question("safe_dark").options
('Very safe', 'Fairly safe', 'Fairly unsafe', 'Very unsafe')
>>> cb.question("safe_dark").nets["Feel unsafe"]
('Fairly unsafe', 'Very unsafe')
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from listening.errors import CodebookError
from listening.paths import SAMPLE_DIR

QuestionType = Literal["single", "multi", "integer", "text", "id"]
QUESTION_TYPES: tuple[str, ...] = ("single", "multi", "integer", "text", "id")


def slug(label: str) -> str:
    """Turn an option label into a snake_case fragment for column names.

    Parameters
    ----------
    label : str
        An option label such as ``"Knife crime"``.

    Returns
    -------
    str
        Lower-case letters, digits and single underscores.

    Examples
    --------
    >>> slug("Anti-social behaviour")
    'anti_social_behaviour'
    """
    return re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")


@dataclass(frozen=True)
class Question:
    """One question of the questionnaire.

    Attributes
    ----------
    name : str
        Column name in the data (for ``multi``, the stem of the option columns).
    wording : str
        The question as respondents saw it.
    type : {"single", "multi", "integer", "text", "id"}
        How answers are recorded.
    options : tuple of str
        Valid answers in questionnaire order, missing codes excluded.
    missing : tuple of str
        Answers that mean "no answer" (Don't know, Prefer not to say).
    ordered : bool
        Whether the options form an ordered scale.
    nets : dict of str to tuple of str
        Named groups of options, reported after the options.
    codes : dict of str to str
        Other spellings found in exports, mapped to an option or missing code.
    exclusive : tuple of str
        Multi-select options that cannot be ticked with any other.
    coding_frame : dict of str to tuple of str
        For free text: themes and the keywords that signal them.
    publication : dict
        How the question is published as a grouping variable: ``groups``
        (``{label: [options]}`` reported as one category) and ``county_only``
        (options not shown by district, or ``true`` for the whole variable);
        see :class:`listening.publish.disclosure.DisclosurePolicy`.

    Examples
    --------
    >>> q = Question(name="q", wording="Safe?", type="single", options=("Yes", "No"))
    >>> q.labels
    ('Yes', 'No')
    """

    name: str
    wording: str
    type: QuestionType
    options: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    ordered: bool = False
    nets: dict[str, tuple[str, ...]] = field(default_factory=dict)
    codes: dict[str, str] = field(default_factory=dict)
    exclusive: tuple[str, ...] = ()
    coding_frame: dict[str, tuple[str, ...]] = field(default_factory=dict)
    publication: dict[str, Any] = field(default_factory=dict)

    @property
    def labels(self) -> tuple[str, ...]:
        """Every answer a respondent could give: options, then missing codes.

        Examples
        --------
        >>> from listening.ingest.codebook import load_codebook
        >>> load_codebook().question("seen_knife").labels
        ('Yes', 'No', 'Prefer not to say')
        """
        return self.options + self.missing

    @property
    def option_columns(self) -> dict[str, str]:
        """For a multi-select question, the data column of each option.

        Examples
        --------
        >>> from listening.ingest.codebook import load_codebook
        >>> load_codebook().question("worries").option_columns["Knife crime"]
        'worries__knife_crime'
        """
        if self.type != "multi":
            return {}
        return {option: f"{self.name}__{slug(option)}" for option in self.options}


@dataclass(frozen=True)
class Codebook:
    """A survey's codebook: survey-level rules and its questions.

    Build one with :func:`load_codebook`; the bundled sample's codebook is the
    default.

    Attributes
    ----------
    title, source : str
        For briefing covers.
    id_column : str
        The respondent id column.
    required_columns : tuple of str
        Columns every file must have.
    consent_column, consent_value : str
        Rows whose consent is not ``consent_value`` are rejected.
    age_column : str
        Age in whole years.
    age_min, age_max : int
        Rows outside this range are rejected.
    age_band_column : str
        Name of the derived age-band column.
    age_bands : tuple of (label, min, max)
        Age bands in order.
    district_column : str
        The area column.
    districts : dict of str to str
        District name to ONS code, in order.
    strata, clusters : str or None
        The sample design.
    weighting : dict
        Raking variables and the rule that derives ``sex`` from ``gender``.
    questions : dict of str to Question
        Questions by name, in questionnaire order.
    schools : tuple of str
        Names of the schools taking part (YAML key ``schools``), removed from
        free-text quotes by :func:`listening.publish.redact.redact`.
    path : Path or None
        Where the codebook was read from.

    Examples
    --------
    >>> cb = load_codebook()
    >>> cb.strata, cb.clusters
    ('district', 'school')
    >>> [band[0] for band in cb.age_bands]
    ['11-13', '14-15', '16-18']
    """

    title: str
    source: str
    id_column: str
    required_columns: tuple[str, ...]
    consent_column: str
    consent_value: str
    age_column: str
    age_min: int
    age_max: int
    age_band_column: str
    age_bands: tuple[tuple[str, int, int], ...]
    district_column: str
    districts: dict[str, str]
    strata: str | None
    clusters: str | None
    weighting: dict[str, Any]
    questions: dict[str, Question]
    schools: tuple[str, ...] = ()
    path: Path | None = None

    def question(self, name: str) -> Question:
        """Return the question called ``name``.

        Raises
        ------
        CodebookError
            If the codebook has no such question; the message lists the names.

        Examples
        --------
        >>> load_codebook().question("trusted_adult").options
        ('Yes', 'No', 'Not sure')
        """
        try:
            return self.questions[name]
        except KeyError:
            known = ", ".join(self.questions)
            raise CodebookError(
                f"Codebook {self._where()} has no question {name!r}; known questions: {known}."
            ) from None

    def of_type(self, *types: str) -> list[Question]:
        """Questions of the given types, in questionnaire order.

        Examples
        --------
        >>> [q.name for q in load_codebook().of_type("multi")]
        ['worries', 'safer_options']
        """
        return [q for q in self.questions.values() if q.type in types]

    @property
    def age_band_labels(self) -> tuple[str, ...]:
        """Labels of the age bands, in order.

        Examples
        --------
        >>> load_codebook().age_band_labels
        ('11-13', '14-15', '16-18')
        """
        return tuple(label for label, _, _ in self.age_bands)

    def _where(self) -> str:
        return str(self.path) if self.path else "(in memory)"


#: The largest codebook read, in bytes.
MAX_CODEBOOK_BYTES = 1 << 20
#: How deeply a codebook's YAML may nest (the bundled one nests 5 levels).
MAX_DEPTH = 32
#: How many YAML nodes a codebook may hold once its aliases are expanded.
MAX_NODES = 100_000


def load_codebook(source: str | Path | bytes | None = None, *, name: str | None = None) -> Codebook:
    """Read and validate a codebook: a YAML file, or YAML in memory.

    YAML is read with a safe loader (no Python objects), and refused if it is
    larger than :data:`MAX_CODEBOOK_BYTES`, nests deeper than :data:`MAX_DEPTH`,
    or holds more than :data:`MAX_NODES` nodes once its aliases (``*name``)
    are expanded (a "billion laughs" file); an alias to the node it is in is
    refused too.

    Parameters
    ----------
    source : str, Path or bytes, optional
        The YAML file's path; or the YAML itself, as ``bytes`` (UTF-8) or as a
        ``str`` of more than one line (a ``str`` without a line break is a path).
        Default: the bundled ``sample_data/codebook.yaml``.
    name : str, optional
        For YAML in memory: the file's name in error messages (an upload's
        name), instead of "(in memory)".

    Returns
    -------
    Codebook

    Raises
    ------
    CodebookError
        If the file is missing, is not YAML, is over a limit, or breaks a rule;
        the message names the file, the key and how to fix it.

    Examples
    --------
    >>> cb = load_codebook()
    >>> cb.title
    'Serious Violence Youth Listening Project'
    >>> text = "id_column: id\\nquestions:\\n  - {name: id, type: id}\\n"
    >>> list(load_codebook(text.encode()).questions)
    ['id']
    >>> load_codebook(b"a: &x [1, *x]")
    Traceback (most recent call last):
    ...
    listening.errors.CodebookError: Codebook (in memory), line 1: the alias *x is inside \
the node it names (a loop); write the values out instead of the alias.
    """
    if isinstance(source, bytes | bytearray | memoryview):
        where, content = name or "(in memory)", bytes(source)
        path = None
    elif isinstance(source, str) and ("\n" in source or "\r" in source):
        where, content = name or "(in memory)", source.encode("utf-8", errors="surrogatepass")
        path = None
    elif source is None or isinstance(source, str | os.PathLike):
        path = Path(source) if source is not None else SAMPLE_DIR / "codebook.yaml"
        where = str(path)
        if not path.is_file():
            raise CodebookError(
                f"Codebook file {path} does not exist; pass the path of a codebook YAML file "
                "(see sample_data/codebook.yaml for the layout)."
            )
        if path.stat().st_size > MAX_CODEBOOK_BYTES:
            raise _too_big(where, path.stat().st_size)
        content = path.read_bytes()
    else:
        raise CodebookError(
            f"load_codebook got a {type(source).__name__}; pass the path of a codebook YAML "
            "file, or the YAML itself as bytes."
        )
    if len(content) > MAX_CODEBOOK_BYTES:
        raise _too_big(where, len(content))
    return codebook_from_dict(_parse_yaml(content, where), path=path, name=where)


def _too_big(where: str, size: int) -> CodebookError:
    return CodebookError(
        f"Codebook {where} is {size:,} bytes, over the limit of {MAX_CODEBOOK_BYTES:,}; "
        "a codebook is a few kilobytes: check that this is the codebook."
    )


def _parse_yaml(content: bytes, where: str) -> Any:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise CodebookError(
            f"Codebook {where} is not UTF-8 text ({err}); save it as UTF-8."
        ) from None
    loader = None
    try:
        loader = _BoundedLoader(text, where)
        return loader.get_single_data()
    except (yaml.YAMLError, ValueError, OverflowError) as err:
        raise CodebookError(f"Codebook {where} is not valid YAML{yaml_problem(err)}") from None
    except RecursionError:
        raise CodebookError(
            f"Codebook {where} nests too deeply to read; a codebook nests a few levels."
        ) from None
    finally:
        if loader is not None:
            loader.dispose()


_YAML_WORDS = (
    ("'\\t'", "a tab, where YAML allows only spaces for indentation"),
    ("<block end>", "this line is indented differently from the lines above it"),
    ("expected ',' or ']'", "a list opened with [ is not closed with ]"),
    ("expected ',' or '}'", "a mapping opened with { is not closed with }"),
    (
        "mapping values are not allowed",
        "a colon where none can be: a value holding ': ' "
        "needs quotes, or the line is indented too far",
    ),
    ("could not find expected ':'", "a key without a colon after it"),
    ("found unexpected end of stream", "a quote is not closed"),
    ("undefined alias", "an alias (*name) with no anchor (&name) before it"),
)
"""PyYAML's problems, in the words a codebook's author knows."""


def yaml_problem(err: Exception) -> str:
    """Where YAML breaks and what to check, in plain words (follows "is not valid YAML").

    The line and column PyYAML stopped at, what is wrong there and the usual
    causes; never the parser's own dump of the text.

    Examples
    --------
    >>> try:
    ...     yaml.safe_load("questions:\\n  - name: a\\n     type: single\\n")
    ... except yaml.YAMLError as err:
    ...     print(yaml_problem(err)[:60])
    : line 3, column 10: a colon where none can be: a value hold
    """
    mark = getattr(err, "problem_mark", None) or getattr(err, "context_mark", None)
    problem = str(getattr(err, "problem", None) or err).strip().rstrip(".")
    problem = next((words for raw, words in _YAML_WORDS if raw in problem), problem)
    place = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
    return (
        f": {place}{problem}. Check {'that line and the one above it' if place else 'the file'}: "
        "each key is followed by a colon and a space, lines at the same level are indented by "
        "the same number of spaces (never tabs), and every bracket and quote is closed."
    )


class _BoundedLoader(yaml.SafeLoader):
    """PyYAML's safe loader, capping nesting depth and the nodes that aliases expand to."""

    def __init__(self, text: str, where: str) -> None:
        super().__init__(text)
        self.where = where
        self.depth = 0
        self.nodes = 0
        self.expanded: dict[str, int] = {}  # anchor -> nodes under it, aliases expanded
        self.open: set[str] = set()  # anchors whose nodes are being composed

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            if event.anchor in self.open:
                raise self._refuse(
                    event,
                    f"the alias *{event.anchor} is inside the node it names (a loop); "
                    "write the values out instead of the alias.",
                )
            self._count(self.expanded.get(event.anchor, 1), event)
            return super().compose_node(parent, index)
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self._refuse(
                event,
                f"the YAML nests deeper than {MAX_DEPTH} levels; a codebook nests a few "
                "(see sample_data/codebook.yaml).",
            )
        before = self.nodes
        self._count(1, event)
        anchor = event.anchor
        if anchor is not None:
            self.open.add(anchor)
        node = super().compose_node(parent, index)
        if anchor is not None:
            self.open.discard(anchor)
            self.expanded[anchor] = self.nodes - before
        self.depth -= 1
        return node

    def _count(self, nodes: int, event: Any) -> None:
        self.nodes += nodes
        if self.nodes > MAX_NODES:
            raise self._refuse(
                event,
                f"the YAML holds more than {MAX_NODES:,} values once its aliases (*name) "
                "are expanded; write the codebook without nesting aliases.",
            )

    def _refuse(self, event: Any, message: str) -> CodebookError:
        return CodebookError(f"Codebook {self.where}, line {event.start_mark.line + 1}: {message}")


def codebook_from_dict(raw: Any, *, path: Path | None = None, name: str | None = None) -> Codebook:
    """Build a :class:`Codebook` from parsed YAML, checking every rule.

    Parameters
    ----------
    raw : dict
        The parsed YAML document.
    path : Path, optional
        Where it came from, for error messages.
    name : str, optional
        Its name in error messages when there is no ``path`` (default "(in memory)").

    Returns
    -------
    Codebook

    Examples
    --------
    >>> cb = codebook_from_dict({
    ...     "id_column": "id",
    ...     "questions": [{"name": "id", "type": "id"},
    ...                   {"name": "q1", "type": "single", "options": ["Yes", "No"]}],
    ... })
    >>> cb.question("q1").options
    ('Yes', 'No')
    """
    where = str(path) if path else name or "(in memory)"
    reader = _Reader(raw, where)
    questions = _questions(reader.get("questions", list, required=True), where)
    id_column = reader.get("id_column", str, required=True)
    if id_column not in questions:
        raise CodebookError(
            f"Codebook {where}: id_column {id_column!r} is not among the questions; "
            f"add a question named {id_column!r} of type id."
        )
    consent = _Reader(reader.get("consent", dict, default={}), f"{where} consent")
    age = _Reader(reader.get("age", dict, default={}), f"{where} age")
    design = _Reader(reader.get("design", dict, default={}), f"{where} design")
    bands = tuple(_band(b, where) for b in age.get("bands", list, default=[]))
    districts = {
        _Reader(d, f"{where} districts").get("name", str, required=True): str(d.get("code", ""))
        for d in reader.get("districts", list, default=[])
    }
    codebook = Codebook(
        title=reader.get("title", str, default="Survey"),
        source=reader.get("source", str, default=""),
        id_column=id_column,
        required_columns=reader.labels("required_columns", default=[id_column]),
        consent_column=consent.get("column", str, default=""),
        consent_value=str(consent.get("value", object, default="Yes")),
        age_column=age.get("column", str, default=""),
        age_min=age.get("min", int, default=0),
        age_max=age.get("max", int, default=200),
        age_band_column=age.get("band_column", str, default="age_band"),
        age_bands=bands,
        district_column=reader.get("district_column", str, default=""),
        districts=districts,
        strata=design.get("strata", str, default=None),
        clusters=design.get("clusters", str, default=None),
        weighting=_weighting(
            _Reader(reader.get("weighting", dict, default={}), f"{where} weighting")
        ),
        questions=questions,
        schools=reader.labels("schools"),
        path=path,
    )
    _check_references(codebook, where)
    return codebook


class _Reader:
    """Typed access to one mapping of the YAML document, with clear errors."""

    def __init__(self, raw: Any, where: str) -> None:
        if not isinstance(raw, Mapping):
            raise CodebookError(
                f"Codebook {where}: expected a mapping of keys to values, found "
                f"{type(raw).__name__}; see sample_data/codebook.yaml for the layout."
            )
        self.raw = raw
        self.where = where

    def get(self, key: str, kind: type, *, required: bool = False, default: Any = None) -> Any:
        if key not in self.raw or self.raw[key] is None:
            if required:
                raise CodebookError(f"Codebook {self.where}: the key {key!r} is required; add it.")
            return default
        value = self.raw[key]
        if kind is not object and not isinstance(value, kind):
            raise CodebookError(
                f"Codebook {self.where}: {key!r} should be a {kind.__name__}, "
                f"found {value!r}; correct its value."
            )
        return value

    def labels(self, key: str, *, default: Any = ()) -> tuple[str, ...]:
        """A list of plain values (text or numbers), as strings."""
        return tuple(self.label(v, key) for v in self.get(key, list, default=list(default)))

    def groups(self, key: str) -> dict[str, tuple[str, ...]]:
        """A mapping of names to lists of plain values, as strings."""
        groups = {}
        for name, members in self.get(key, dict, default={}).items():
            if not isinstance(members, list):
                raise CodebookError(
                    f"Codebook {self.where}: {key} {name!r} should list its members, "
                    f"found {members!r}; write them as a list, e.g. [Yes, No]."
                )
            groups[self.label(name, key)] = tuple(self.label(m, key) for m in members)
        return groups

    def label(self, value: Any, key: str) -> str:
        """A plain value (text or a number) as a string; anything else is an error."""
        if isinstance(value, str | int | float):
            return str(value)
        raise CodebookError(
            f"Codebook {self.where}: {key!r} should hold text or numbers, found {value!r}; "
            "correct its value."
        )


def _weighting(reader: _Reader) -> dict[str, Any]:
    """The ``weighting`` key, its names and mappings checked."""
    weighting = dict(reader.raw)
    for key in ("sex_column", "sex_from"):
        weighting[key] = reader.get(key, str, default=None)
    weighting["sex_unknown"] = reader.label(
        reader.get("sex_unknown", object, default="Not known"), "sex_unknown"
    )
    weighting["sex_map"] = {
        reader.label(k, "sex_map"): reader.label(v, "sex_map")
        for k, v in reader.get("sex_map", dict, default={}).items()
    }
    margins = reader.get("margins", list, default=[])
    if not all(isinstance(m, list) and all(isinstance(v, str) for v in m) for m in margins):
        raise CodebookError(
            f"Codebook {reader.where}: margins should be a list of lists of column names, "
            f"e.g. [[district, age_band], [district, sex]]; found {margins!r}."
        )
    weighting["margins"] = [list(m) for m in margins]
    return {k: v for k, v in weighting.items() if v is not None and v != {} and v != []}


def _band(raw: Any, where: str) -> tuple[str, int, int]:
    band = _Reader(raw, f"{where} age.bands")
    low, high = band.get("min", int, required=True), band.get("max", int, required=True)
    if low > high:
        raise CodebookError(f"Codebook {where}: age band min {low} is above max {high}; swap them.")
    return str(band.get("label", object, required=True)), low, high


def _questions(items: list[Any], where: str) -> dict[str, Question]:
    questions: dict[str, Question] = {}
    for position, item in enumerate(items, start=1):
        question = _question(_Reader(item, f"{where} question {position}"))
        if question.name in questions:
            raise CodebookError(
                f"Codebook {where}: question name {question.name!r} appears twice "
                f"(the second at position {position}); give every question its own name."
            )
        questions[question.name] = question
    return questions


def _question(reader: _Reader) -> Question:
    name = reader.get("name", str, required=True)
    here = f"{reader.where} ({name})"
    qtype = reader.get("type", str, required=True)
    if qtype not in QUESTION_TYPES:
        raise CodebookError(
            f"Codebook {here}: type {qtype!r} is not one of {', '.join(QUESTION_TYPES)}."
        )
    labels = reader.labels("options")
    missing = reader.labels("missing")
    if qtype in ("single", "multi") and not labels:
        raise CodebookError(f"Codebook {here}: a {qtype} question needs a list of options.")
    _no_duplicates(labels, here, "options")
    stray = [m for m in missing if m not in labels]
    if stray:
        raise CodebookError(
            f"Codebook {here}: missing codes {stray} are not among the options; "
            "list them under options too."
        )
    options = tuple(o for o in labels if o not in missing)
    nets = reader.groups("nets")
    for net, members in nets.items():
        unknown = [m for m in members if m not in options]
        if unknown:
            raise CodebookError(
                f"Codebook {here}: net {net!r} names {unknown}, which are not options."
            )
    codes = {
        reader.label(k, "codes"): reader.label(v, "codes")
        for k, v in reader.get("codes", dict, default={}).items()
    }
    bad_codes = {k: v for k, v in codes.items() if v not in labels}
    if bad_codes:
        raise CodebookError(
            f"Codebook {here}: codes {bad_codes} map to answers that are not options."
        )
    exclusive = reader.labels("exclusive")
    if any(o not in options for o in exclusive):
        raise CodebookError(f"Codebook {here}: exclusive options {exclusive} must be options.")
    frame = {
        theme: tuple(k.lower() for k in keywords)
        for theme, keywords in reader.groups("coding_frame").items()
    }
    publication = _publication(_Reader(reader.get("publication", dict, default={}), here), labels)
    return Question(
        name=name,
        wording=reader.get("wording", str, default=name),
        type=qtype,
        options=options,
        missing=missing,
        ordered=bool(reader.get("ordered", bool, default=False)),
        nets=nets,
        codes=codes,
        exclusive=exclusive,
        coding_frame=frame,
        publication=publication,
    )


def _publication(reader: _Reader, labels: tuple[str, ...]) -> dict[str, Any]:
    """A question's ``publication`` key: ``groups`` and ``county_only``, checked."""
    unknown = sorted(set(reader.raw) - {"groups", "county_only"})
    if unknown:
        raise CodebookError(
            f"Codebook {reader.where}: publication keys {unknown} are unknown; "
            "use groups and county_only."
        )
    groups = {label: list(members) for label, members in reader.groups("groups").items()}
    only = reader.get("county_only", object, default=[])
    listed = [m for members in groups.values() for m in members]
    listed += [str(m) for m in only] if isinstance(only, list) else []
    stray = [m for m in listed if m not in labels]
    if stray or not isinstance(only, list | bool):
        raise CodebookError(
            f"Codebook {reader.where}: publication names {stray or only!r}, which are not "
            "options (county_only takes a list of options or true)."
        )
    return {"groups": groups, "county_only": only} if groups or only else {}


def _no_duplicates(labels: tuple[str, ...], where: str, what: str) -> None:
    seen = {label.casefold() for label in labels}
    if len(seen) != len(labels):
        raise CodebookError(f"Codebook {where}: {what} repeat a label: {list(labels)}.")


def _check_references(codebook: Codebook, where: str) -> None:
    named = [("required_columns", c) for c in codebook.required_columns] + [
        (key, getattr(codebook, attr))
        for key, attr in (
            ("consent.column", "consent_column"),
            ("age.column", "age_column"),
            ("district_column", "district_column"),
        )
        if getattr(codebook, attr)
    ]
    for key, column in named:
        if column not in codebook.questions:
            raise CodebookError(
                f"Codebook {where}: {key} names {column!r}, which is not a question; "
                f"add a question called {column!r} or correct the name."
            )
    derived = {codebook.age_band_column, codebook.weighting.get("sex_column")}
    for key in ("strata", "clusters"):
        column = getattr(codebook, key)
        if column and column not in codebook.questions and column not in derived:
            raise CodebookError(
                f"Codebook {where}: design.{key} names {column!r}, which is not a question."
            )
    if codebook.districts and codebook.district_column:
        options = codebook.question(codebook.district_column).options
        if set(options) != set(codebook.districts):
            raise CodebookError(
                f"Codebook {where}: the districts list {list(codebook.districts)} differs from "
                f"the options of {codebook.district_column!r} {list(options)}; make them agree."
            )
