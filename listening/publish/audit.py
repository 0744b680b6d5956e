"""The audit of a publication: what everything published lets a reader work out.

Tables of the same question share their respondents, so a reader who has all
of them can write every published base and count down as a linear system
over the *joint cells* (:class:`listening.publish.attack.Attack`). A
publication is safe when no hidden group's base is pinned within 1 to
``min_base - 1`` (which covers working it out exactly), and no published
group has a base in that range. The same holds for the intersection of two
tables' groups and for every *leftover*: a group's respondents in no shown
group of another table (Fenland children neither girl nor boy are Fenland
minus Fenland girls minus Fenland boys).

:func:`audit` runs this on tables in memory, a briefing workbook or a folder
of the project's CSVs and reports each violation with the equation that
recovers it.

Examples
--------
>>> import pandas as pd
>>> rows = pd.DataFrame({"g": ["All", "A", "B", "C"], "category": "x",
...                      "n": [60, 30, None, 25], "base": [60, 30, None, 25]})
>>> policy = DisclosurePolicy(min_base=10, complete=("g",))
>>> result = audit([PublishedTable("q", ("g",), rows)], policy=policy)
>>> result.ok, result.violations[0].low, result.violations[0].high
(False, 5.0, 5.0)
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from listening.errors import ListeningError
from listening.publish.attack import TOLERANCE, describe_proof, group_label
from listening.publish.attack import Attack as Attack
from listening.publish.attack import attacker as attacker
from listening.publish.attack import bounded as bounded
from listening.publish.disclosure import DisclosurePolicy
from listening.publish.published import PublishedTable, read_csv_folder, read_workbook
from listening.publish.table import CrosstabData


@dataclass(frozen=True)
class Violation:
    """A group a reader can see or work out although it is smaller than the minimum base.

    Attributes
    ----------
    table : str
        The table holding the group.
    group : tuple of str
        The group's ``by`` values.
    rule : {"threshold", "differencing"}
        Shown with a small base, or bounded by the published figures.
    low, high : float
        What the reader can prove about the base (for "threshold", the base shown).
    equation : str
        How it is recovered.

    Examples
    --------
    >>> print(Violation("q by g", ("B",), "threshold", 4.0, 4.0, "base 4 shown"))
    q by g: B: base 4 shown
    """

    table: str
    group: tuple[str, ...]
    rule: str
    low: float
    high: float
    equation: str

    def __str__(self) -> str:
        return f"{self.table}: {' x '.join(self.group)}: {self.equation}"


@dataclass(frozen=True)
class AuditResult:
    """The outcome of :func:`audit`.

    Examples
    --------
    >>> AuditResult([], 3).ok
    True
    """

    violations: list[Violation]
    tables: int
    checked: int = 0
    proven: int = 0

    @property
    def ok(self) -> bool:
        """True when nothing published is too small or can be worked out."""
        return not self.violations

    def __str__(self) -> str:
        if self.ok:
            proven = (
                f" ({self.proven} question(s) proven when their tables were protected together)"
                if self.proven
                else ""
            )
            return (
                f"Audit passed: {self.tables} tables, {self.checked} hidden groups, "
                "overlaps of two tables' groups and leftovers (a group's respondents in no "
                f"group of another table) checked{proven}; no group below the minimum base is "
                "shown or can be worked out."
            )
        lines = [f"Audit failed: {len(self.violations)} violation(s) in {self.tables} tables."]
        return "\n".join([*lines, *(f"- {v}" for v in self.violations)])


def audit(
    tables: Any,
    *,
    policy: DisclosurePolicy | int | None = None,
    trust_protection: bool = False,
) -> AuditResult:
    """Check published tables for small groups that are shown or can be worked out.

    Parameters
    ----------
    tables : list of Crosstab or PublishedTable, or a path
        Tables in memory, a briefing workbook (``.xlsx``) or a folder of the
        project's CSV tables.
    policy : DisclosurePolicy or int, optional
        The minimum base (default: the tables' own, else 10).
    trust_protection : bool, default False
        Skip the linear programs for the tables of a question exactly as
        :func:`listening.publish.suppression.protect` left them (the same
        published figures, all or some of the tables it protected together,
        an attacker knowing no more than the protector's): protection ended
        only when its attacker, run on every such group, overlap and
        leftover, could pin none. The threshold is still checked.
        :func:`~listening.publish.briefing.write_briefing` trusts it; tests
        and ``listening audit`` do not.

    Returns
    -------
    AuditResult
        ``ok``, and each violation with the equation that recovers it.

    Examples
    --------
    >>> import pandas as pd
    >>> import listening as yl
    >>> data = pd.DataFrame({"g": ["a"] * 30 + ["b"] * 4 + ["c"] * 20, "q": list("xy") * 27})
    >>> print(yl.audit([yl.crosstab(yl.SurveyDesign(data), "q", by="g")]))  # doctest: +ELLIPSIS
    Audit passed: 1 tables, 3 hidden groups, overlaps of two tables' groups and leftovers ...
    """
    published = _published(tables)
    if not isinstance(policy, DisclosurePolicy):
        own = (
            [t.min_base for t in tables if isinstance(t, CrosstabData)]
            if isinstance(tables, list | tuple)
            else []
        )
        policy = DisclosurePolicy(min_base=int(policy) if policy is not None else min(own or [10]))
    min_base = policy.min_base
    violations: list[Violation] = []
    checked = proven = 0
    for t in published:
        for key, base in zip(
            t.groups()[list(t.by)].astype(str).to_numpy(), t.groups()["base"], strict=True
        ):
            if 0 < base < min_base:
                violations.append(
                    Violation(
                        t.name,
                        tuple(key),
                        "threshold",
                        base,
                        base,
                        f"base {base:g} shown (minimum {min_base})",
                    )
                )
    for _, unit in _units(published).items():
        if trust_protection and is_protected(unit, policy):
            checked += sum(int(np.isnan(t.groups()["base"]).sum()) for t in unit)
            proven += 1
            continue
        attack = attacker(unit, policy.complete, policy.empty)
        hidden = [set(np.flatnonzero(np.isnan(b))) for b in attack.bases]
        suspects = [
            (unit[ti].name, attack.keys[ti][gi], attack.members[(ti, gi)])
            for ti, groups in enumerate(hidden)
            for gi in sorted(groups)
        ]
        suspects += [
            (
                f"{unit[t1].name} & {unit[t2].name}",
                (f"{' x '.join(attack.keys[t1][g1])} & {' x '.join(attack.keys[t2][g2])}",),
                members,
            )
            for (t1, g1), (t2, g2), members in attack.overlaps()
        ]
        suspects += [
            (
                f"{unit[t1].name} less {unit[t2].name}",
                (f"{group_label(attack, t1, g1)} in no group of {unit[t2].name}",),
                members,
            )
            for (t1, g1), t2, members in attack.leftovers(hidden)
        ]
        for name, key, members in suspects:
            checked += 1
            low, high, low_proof, high_proof = attack.bound(hidden, members, min_base=min_base)
            if bounded(low, high, min_base):
                text = (
                    f"base worked out as {low:g}: {describe_proof(attack, high_proof, high)}"
                    if high - low < TOLERANCE
                    else f"base bounded in [{low:g}, {high:g}]: at least "
                    f"{describe_proof(attack, low_proof, low)}; at most "
                    f"{describe_proof(attack, high_proof, high)}"
                )
                pinned = {
                    c: lo
                    for c, (lo, hi) in attack.answers(hidden, members).items()
                    if hi - lo < TOLERANCE
                }
                if pinned:
                    text += "; its answers: " + ", ".join(f"{c} {n:g}" for c, n in pinned.items())
                violations.append(Violation(name, key, "differencing", low, high, text))
    return AuditResult(violations, len(published), checked, proven)


@dataclass(frozen=True)
class _Proof:
    """What :func:`protect` proved: tables (as digests) no attacker of this knowledge can undo."""

    tables: frozenset[bytes]
    min_base: int
    complete: frozenset[str]
    empty: frozenset[frozenset[tuple[str, str]]]


_PROVEN: list[_Proof] = []  # this session's protections, newest last
_KEEP = 256  # protections remembered


def record_protection(
    tables: Sequence[PublishedTable],
    hidden: Sequence[set[int]],
    *,
    min_base: int,
    complete: Sequence[str],
    empty: tuple,
) -> None:
    """Remember that the attack on ``tables`` (with ``hidden`` groups) pins no small group.

    Called by :func:`listening.publish.suppression.protect` when it stops:
    every small group, overlap and leftover of the tables of one question
    was bounded by an attacker knowing ``complete`` and ``empty``. An
    :func:`audit` with ``trust_protection`` then skips its own linear
    programs for those published figures.
    """
    proof = _Proof(
        frozenset(_digest(t, h) for t, h in zip(tables, hidden, strict=True)),
        int(min_base),
        frozenset(map(str, complete)),
        frozenset(frozenset(c) for c in empty),
    )
    _PROVEN.append(proof)
    del _PROVEN[:-_KEEP]


def is_protected(tables: Sequence[PublishedTable], policy: DisclosurePolicy) -> bool:
    """Whether :func:`protect` proved these published tables of one question safe.

    True when some protection saw every one of them with exactly these
    published figures, at this minimum base, its attacker knowing at least
    what ``policy`` lets the reader know (a stronger attacker pins at least
    as much; fewer tables can only pin less).

    Examples
    --------
    >>> import pandas as pd
    >>> rows = pd.DataFrame({"g": ["All", "A"], "category": "x", "n": [9, 5], "base": [9, 5]})
    >>> is_protected([PublishedTable("never protected", ("g",), rows)], DisclosurePolicy())
    False
    """
    digests = {_digest(t) for t in tables}
    empty = {frozenset(c) for c in policy.empty}
    return any(
        digests <= p.tables
        and p.min_base == policy.min_base
        and set(policy.complete) <= p.complete
        and empty <= p.empty
        for p in reversed(_PROVEN)
    )


def _digest(table: PublishedTable, hidden: set[int] | frozenset[int] = frozenset()) -> bytes:
    """The published figures of a table, in any row order, as a hash.

    The counts and bases of the ``hidden`` groups (positions in
    ``table.groups()``) are taken as not published.
    """
    rows = table.rows
    labels = [[str(x) for x in rows[c].to_numpy(dtype=object)] for c in (*table.by, "category")]
    figures = [_numbers(rows[c]) for c in ("n", "base")]
    if hidden:
        first: dict[tuple, int] = {}  # groups in order of first appearance, as groups()
        keys = zip(*labels[: len(table.by)], strict=True)
        group = [first.setdefault(key, len(first)) for key in keys]
        gone = np.isin(np.array(group, dtype=int), list(hidden))
        figures = [np.where(gone, np.nan, f) for f in figures]
    figures = [np.round(np.nan_to_num(f, nan=-1.0), 6).tolist() for f in figures]  # -1: hidden
    lines = sorted(zip(*labels, *figures, strict=True))
    return hashlib.sha256(repr((table.question, table.by, lines)).encode()).digest()


def _numbers(column: pd.Series) -> np.ndarray:
    """A column as floats, NaN where it holds no number."""
    try:
        return column.to_numpy(dtype=float)
    except (TypeError, ValueError):
        return pd.to_numeric(column, errors="coerce").to_numpy(dtype=float)


def _units(tables: list[PublishedTable]) -> dict[str, list[PublishedTable]]:
    units: dict[str, list[PublishedTable]] = {}
    for t in tables:
        units.setdefault(t.question, []).append(t)
    return units


def _published(tables: Any) -> list[PublishedTable]:
    if isinstance(tables, str | Path):
        path = Path(tables)
        if path.is_dir():
            return read_csv_folder(path)
        if path.suffix.lower() == ".xlsx":
            return read_workbook(path)
        raise ListeningError(
            f"audit: {path} is neither a folder of CSV tables nor an .xlsx workbook; pass one."
        )
    out = []
    for t in tables:
        if isinstance(t, PublishedTable):
            out.append(t)
        elif isinstance(t, CrosstabData):
            out.append(PublishedTable.of(t))
        else:
            raise ListeningError(
                f"audit: cannot audit a {type(t).__name__}; pass tables made by yl.crosstab, "
                "a workbook path or a folder of CSV tables."
            )
    return out
