"""Harmonisation of two survey waves: which questions and options are the same.

Questionnaires change between waves: a question is renamed, an option
reworded, a question added. A small YAML mapping declares what is the same,
named by the **later** (after) wave's question and option names::

    before: "2024"            # labels of the two waves (optional)
    after: "2025"
    questions:
      good_places:            # the 2025 name
        before: places_to_go  # its 2024 name (default: the same name)
      trusted_adult:
        options:              # 2025 option: 2024 option (others: the same label)
          Not sure: Unsure

A question needs no entry when it has the same name and the same options in
both waves. Comparing any other question raises :class:`NotHarmonisedError`,
which says what to add.

Examples
--------
>>> h = read_harmonisation(b"questions:\\n  good_places: {before: places_to_go}\\n")
>>> h.before_name("good_places"), h.before_name("safe_dark")
('places_to_go', 'safe_dark')
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from listening.errors import ListeningError
from listening.ingest.codebook import Codebook, Question, yaml_problem
from listening.paths import SAMPLE_DIR

#: The harmonisation of the bundled 2024 wave with the bundled (2025) sample.
SAMPLE_HARMONISATION = SAMPLE_DIR / "wave2024" / "harmonise.yaml"
MAX_BYTES = 256_000
MAX_DEPTH = 6
MAX_EVENTS = 50_000


class HarmonisationError(ListeningError):
    """A harmonisation mapping is unreadable or malformed.

    Examples
    --------
    >>> issubclass(HarmonisationError, ListeningError)
    True
    """


class NotHarmonisedError(HarmonisationError):
    """A question cannot be compared across two waves: the mapping does not say how.

    Examples
    --------
    >>> issubclass(NotHarmonisedError, HarmonisationError)
    True
    """


@dataclass(frozen=True)
class Harmonisation:
    """What is the same in two waves (see the module docstring for the YAML).

    Attributes
    ----------
    questions : dict
        After-wave question name -> ``{"before": name, "options": {after: before}}``.
    before_label, after_label : str
        How to call the waves in messages and tables.
    where : str
        The mapping's file (for messages).

    Examples
    --------
    >>> Harmonisation().before_name("safe_dark")
    'safe_dark'
    """

    questions: dict[str, dict[str, Any]] = field(default_factory=dict)
    before_label: str = "before"
    after_label: str = "after"
    where: str = "none given"

    def before_name(self, question: str) -> str:
        """The before wave's name of an after-wave question.

        Examples
        --------
        >>> Harmonisation({"a": {"before": "b"}}).before_name("a")
        'b'
        """
        return str(self.questions.get(question, {}).get("before", question))

    def option_map(self, question: str) -> dict[str, str]:
        """After option -> before option, for the options the mapping rewords.

        Examples
        --------
        >>> Harmonisation({"q": {"options": {"Not sure": "Unsure"}}}).option_map("q")
        {'Not sure': 'Unsure'}
        """
        return dict(self.questions.get(question, {}).get("options", {}))

    def resolve(
        self, question: str, after: Codebook | None, before: Codebook | None
    ) -> tuple[str, dict[str, str]]:
        """The before wave's column for ``question`` and its relabelling.

        Parameters
        ----------
        question : str
            The after wave's question name.
        after, before : Codebook or None
            The waves' codebooks; without both, only the mapping's names and
            rewordings are used (nothing can be checked).

        Returns
        -------
        before_name : str
        relabel : dict
            Before option -> after option, for every option that differs.

        Raises
        ------
        NotHarmonisedError
            If the question is not in the before wave, its type differs, or an
            option of either wave has no counterpart; the message says what to
            add to the mapping.

        Examples
        --------
        >>> import listening as yl
        >>> h = load_harmonisation()
        >>> h.resolve("trusted_adult", yl.load_codebook(), load_before_codebook())
        ('trusted_adult', {'Unsure': 'Not sure'})
        """
        name = self.before_name(question)
        reworded = self.option_map(question)
        relabel = {b: a for a, b in reworded.items()}
        if after is None or before is None:
            return name, relabel
        if question not in after.questions:
            raise NotHarmonisedError(
                f"{question!r} is not a question of the {self.after_label} wave's codebook "
                f"({after.title}); name the question by its {self.after_label} name."
            )
        spec = after.question(question)
        if name not in before.questions:
            raise NotHarmonisedError(
                f"{question!r} is not in the {self.before_label} wave's codebook "
                f"({before.title}), so it cannot be compared as it is. If it was asked "
                f"under another name, add to the harmonisation mapping ({self.where}):\n"
                f"questions:\n  {question}:\n    before: <its {self.before_label} name>\n"
                "Otherwise it was not asked in both waves and has no change to estimate."
            )
        old = before.question(name)
        if old.type != spec.type:
            raise NotHarmonisedError(
                f"{question!r} is a {spec.type} question in the {self.after_label} wave but "
                f"{name!r} is a {old.type} question in the {self.before_label} wave; only "
                "questions asked the same way can be compared."
            )
        self._check_options(question, name, spec, old, reworded)
        return name, relabel

    def _check_options(
        self, question: str, name: str, spec: Question, old: Question, reworded: dict[str, str]
    ) -> None:
        unknown = sorted(set(reworded) - set(spec.options))
        if unknown:
            raise NotHarmonisedError(
                f"The harmonisation mapping ({self.where}) rewords options {unknown} of "
                f"{question!r}, which are not its {self.after_label} options "
                f"({', '.join(spec.options)}); key each entry by the {self.after_label} label."
            )
        lost = [a for a in spec.options if reworded.get(a, a) not in old.options]
        matched = {reworded.get(a, a) for a in spec.options}
        orphans = [b for b in old.options if b not in matched]
        if lost or orphans:
            example = lost[0] if lost else "<" + self.after_label + " option>"
            target = orphans[0] if orphans else "<" + self.before_label + " option>"
            raise NotHarmonisedError(
                f"{question!r} is not harmonised: {self.after_label} options without a "
                f"{self.before_label} counterpart: {lost or 'none'}; {self.before_label} "
                f"options of {name!r} without an {self.after_label} counterpart: "
                f"{orphans or 'none'}. Add each reworded option to the harmonisation "
                f"mapping ({self.where}), {self.after_label} label first:\n"
                f"questions:\n  {question}:\n"
                + (f"    before: {name}\n" if name != question else "")
                + f"    options:\n      {example}: {target}\n"
            )


def load_before_codebook() -> Codebook:
    """The bundled 2024 wave's codebook (``sample_data/wave2024/codebook.yaml``).

    Examples
    --------
    >>> "safe_online" in load_before_codebook().questions
    False
    """
    from listening.ingest.codebook import load_codebook

    return load_codebook(SAMPLE_DIR / "wave2024" / "codebook.yaml")


def load_harmonisation() -> Harmonisation:
    """The bundled mapping of the 2024 wave onto the 2025 sample.

    Examples
    --------
    >>> load_harmonisation().before_name("good_places")
    'places_to_go'
    """
    return read_harmonisation(SAMPLE_HARMONISATION)


def read_harmonisation(source: str | os.PathLike[str] | bytes) -> Harmonisation:
    """Read a harmonisation YAML file (or YAML bytes), safely.

    The YAML is read with ``yaml.safe_load`` after a check of its size
    (:data:`MAX_BYTES`), nesting (:data:`MAX_DEPTH`) and events; anchors and
    aliases are refused (a mapping never needs them).

    Parameters
    ----------
    source : str, PathLike or bytes
        The file's path, or the YAML itself as bytes.

    Returns
    -------
    Harmonisation

    Raises
    ------
    HarmonisationError
        If the file is missing, too big, not YAML or not laid out as a mapping.

    Examples
    --------
    >>> read_harmonisation(b"questions: [1, 2]")
    Traceback (most recent call last):
    ...
    listening.ingest.harmonise.HarmonisationError: Harmonisation (in memory): 'questions' \
must map question names to entries (before: NAME, options: {AFTER: BEFORE}), not a list.
    """
    if isinstance(source, bytes | bytearray):
        where, content = "(in memory)", bytes(source)
    else:
        path = Path(source)
        where = str(path)
        if not path.is_file():
            raise HarmonisationError(
                f"Harmonisation file {path} does not exist; pass the path of a harmonisation "
                "YAML file (see sample_data/wave2024/harmonise.yaml)."
            )
        if path.stat().st_size > MAX_BYTES:
            raise _too_big(where, path.stat().st_size)
        content = path.read_bytes()
    if len(content) > MAX_BYTES:
        raise _too_big(where, len(content))
    return _from_raw(_parse(content, where), where)


def _too_big(where: str, size: int) -> HarmonisationError:
    return HarmonisationError(
        f"Harmonisation {where} is {size:,} bytes, over the limit of {MAX_BYTES:,}; "
        "a mapping is a few lines: check that this is the right file."
    )


def _parse(content: bytes, where: str) -> Any:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise HarmonisationError(
            f"Harmonisation {where} is not UTF-8 ({err}); save it as UTF-8."
        ) from None
    try:
        depth = events = 0
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            events += 1
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                line = event.start_mark.line + 1
                raise HarmonisationError(
                    f"Harmonisation {where}, line {line}: anchors and aliases (&name, *name) "
                    "are not allowed; write the values out."
                )
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
            if depth > MAX_DEPTH or events > MAX_EVENTS:
                raise HarmonisationError(
                    f"Harmonisation {where}, line {event.start_mark.line + 1}: the YAML nests "
                    f"deeper than {MAX_DEPTH} levels or holds over {MAX_EVENTS:,} items; "
                    "a mapping is questions -> before / options."
                )
        return yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise HarmonisationError(
            f"Harmonisation {where} is not valid YAML{yaml_problem(err)}"
        ) from None


def _from_raw(raw: Any, where: str) -> Harmonisation:
    prefix = f"Harmonisation {where}"
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise HarmonisationError(
            f"{prefix}: the top level must be a mapping with 'questions' "
            f"(and optionally 'before' and 'after'), not a {type(raw).__name__}."
        )
    extra = sorted(str(k) for k in set(raw) - {"questions", "before", "after"})
    if extra:
        raise HarmonisationError(
            f"{prefix}: unknown keys {extra}; the keys are questions, before and after."
        )
    questions = raw.get("questions") or {}
    if not isinstance(questions, dict):
        raise HarmonisationError(
            f"{prefix}: 'questions' must map question names to entries (before: NAME, "
            f"options: {{AFTER: BEFORE}}), not a {_kind(questions)}."
        )
    out: dict[str, dict[str, Any]] = {}
    for name, entry in questions.items():
        out[str(name)] = _entry(str(name), entry or {}, prefix)
    return Harmonisation(
        out, str(raw.get("before", "before")), str(raw.get("after", "after")), where
    )


def _entry(name: str, entry: Any, prefix: str) -> dict[str, Any]:
    if not isinstance(entry, dict) or set(entry) - {"before", "options"}:
        raise HarmonisationError(
            f"{prefix}, question {name!r}: an entry holds 'before' (the earlier wave's "
            "name) and/or 'options' (after label: before label), e.g. "
            "{before: places_to_go}."
        )
    out: dict[str, Any] = {}
    if "before" in entry:
        if not isinstance(entry["before"], str | int) or isinstance(entry["before"], bool):
            raise HarmonisationError(
                f"{prefix}, question {name!r}: 'before' must be a question name, "
                f"not {entry['before']!r}."
            )
        out["before"] = str(entry["before"])
    options = entry.get("options") or {}
    if not isinstance(options, dict) or any(
        isinstance(v, dict | list) or v is None for v in options.values()
    ):
        raise HarmonisationError(
            f"{prefix}, question {name!r}: 'options' must map each reworded option's "
            "after label to its before label, e.g. {Not sure: Unsure}."
        )
    mapped = [str(v) for v in options.values()]
    if len(set(mapped)) != len(mapped):
        raise HarmonisationError(
            f"{prefix}, question {name!r}: two options map to the same before label "
            f"({mapped}); each before option matches one after option."
        )
    out["options"] = {str(k): str(v) for k, v in options.items()}
    return out


def _kind(value: Any) -> str:
    return "list" if isinstance(value, list) else type(value).__name__
