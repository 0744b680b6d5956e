"""One disclosure policy for a whole publication.

A :class:`DisclosurePolicy` says how small a group may be before it is hidden
(``min_base``), how categories of a grouping variable are reported for
publication (merged, or only for the whole county), how complementary
suppressions are chosen, and when an estimate is flagged as of low
reliability. It is applied once per publication (a briefing workbook, a CLI
run, a list of tables) and is the same for every table and every export of it.

A codebook declares publication groupings under a question's
``publication`` key::

    - name: gender
      publication:
        groups: {"Another way": [Describe another way]}   # reported as one category
        county_only: [Describe another way]               # not shown by district

``county_only: true`` keeps the whole variable out of tables crossed with the
district column. Respondents in a category not shown by district stay in "All"
and in the district's total; they are never a published group.

Examples
--------
>>> policy = DisclosurePolicy(min_base=10, groups={"gender": {"Other": ("A", "B")}})
>>> policy.publish_value("gender", "A", by=("gender",))
'Other'
>>> policy.min_base
10
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from listening.errors import ListeningError

if TYPE_CHECKING:
    from listening.ingest.codebook import Codebook

COSTS = ("base", "log")


@dataclass(frozen=True)
class DisclosurePolicy:
    """How a publication protects small groups; the same for all its tables.

    Attributes
    ----------
    min_base : int, default 10
        A group with fewer respondents who answered is suppressed ([c]: fewer
        than ``min_base`` answered); nothing published may let a reader work
        out such a group's base exactly or bound it within 1 to
        ``min_base - 1`` (secondary suppression, checked by linear
        programming, :mod:`listening.publish.audit`).
    groups : mapping
        ``{variable: {label: (category, ...)}}``: categories of a grouping
        variable reported together under ``label``.
    county_only : mapping
        ``{variable: (category, ...)}``: categories shown only in tables not
        crossed with the district column; an empty tuple means the whole
        variable is county-level only (crossing it with district is an error).
    district : str, default "district"
        The district column.
    cost : {"base", "log"}, default "base"
        Information lost by a complementary suppression: the group's base, or
        ``log(1 + base)``. The cheapest suppression that breaks an attack is
        chosen, so small groups are hidden before large ones.
    assume_margins : bool, default True
        Protect a table crossed by several variables as if the table by each
        of them alone were published too (a briefing usually has them).
    min_effective_base : float, default 30
        An estimate whose effective base ``p (1 - p) / se**2`` is below this
        is flagged ``[u]`` (low reliability).
    complete : tuple of str
        Grouping variables that every respondent has (a reader knows no one
        lacks them: the codebook's required columns and the age band); for
        any other variable the reader allows for respondents without it.
    empty : sequence of mapping
        Combinations of grouping values a reader knows to be empty, such as
        ``{"age_band": "16-18", "school_year": "Year 7"}``. Protection also
        takes every combination of two grouping variables that is empty in
        the data as known.
    leftovers : bool, default True
        Protect the leftovers too: the respondents of a published group in
        none of the published groups of another table (Fenland children
        neither girl nor boy: Fenland minus Fenland girls minus Fenland
        boys). False only to show what an attacker gets without it.

    Examples
    --------
    >>> DisclosurePolicy(min_base=5).with_min_base(20).min_base
    20
    >>> DisclosurePolicy(min_base=-1)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    listening.errors.ListeningError: DisclosurePolicy: min_base=-1; ...
    """

    min_base: int = 10
    groups: Mapping[str, Mapping[str, tuple[str, ...]]] = field(default_factory=dict)
    county_only: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    district: str = "district"
    cost: str = "base"
    assume_margins: bool = True
    min_effective_base: float = 30.0
    complete: tuple[str, ...] = ()
    empty: tuple[tuple[tuple[str, str], ...], ...] = ()
    leftovers: bool = True

    def __post_init__(self) -> None:
        if (
            isinstance(self.min_base, bool)
            or not isinstance(self.min_base, int)
            or self.min_base < 0
        ):
            raise ListeningError(
                f"DisclosurePolicy: min_base={self.min_base!r}; pass a whole number of 0 or more."
            )
        if self.cost not in COSTS:
            raise ListeningError(f"DisclosurePolicy: cost={self.cost!r}; use one of {list(COSTS)}.")
        groups = {
            str(v): MappingProxyType({str(k): tuple(map(str, m)) for k, m in g.items()})
            for v, g in self.groups.items()
        }
        for variable, labels in groups.items():
            members = [m for group in labels.values() for m in group]
            if len(members) != len(set(members)):
                raise ListeningError(
                    f"DisclosurePolicy: a category of {variable!r} is in two publication "
                    f"groups {dict(labels)}; put each category in one group."
                )
        object.__setattr__(self, "groups", MappingProxyType(groups))
        county = {str(v): tuple(map(str, c)) for v, c in self.county_only.items()}
        object.__setattr__(self, "county_only", MappingProxyType(county))
        object.__setattr__(self, "complete", tuple(map(str, self.complete)))
        empty = tuple(tuple((str(k), str(v)) for k, v in dict(c).items()) for c in self.empty)
        object.__setattr__(self, "empty", empty)

    @classmethod
    def from_codebook(cls, codebook: Codebook | None, **kwargs: Any) -> DisclosurePolicy:
        """The policy with the codebook's publication groupings.

        Parameters
        ----------
        codebook : Codebook or None
            Its questions' ``publication`` keys give ``groups`` and
            ``county_only``; its district column gives ``district``.
        **kwargs
            Other attributes (``min_base``, ``cost``, ...).

        Examples
        --------
        >>> from listening.ingest.codebook import load_codebook
        >>> policy = DisclosurePolicy.from_codebook(load_codebook(), min_base=10)
        >>> dict(policy.county_only)
        {'gender': ('Describe another way',)}
        """
        if codebook is None:
            return cls(**kwargs)
        groups: dict[str, dict[str, tuple[str, ...]]] = {}
        county: dict[str, tuple[str, ...]] = {}
        for question in codebook.questions.values():
            spec = question.publication
            if not spec:
                continue
            if spec.get("groups"):
                groups[question.name] = {
                    str(k): tuple(map(str, v)) for k, v in spec["groups"].items()
                }
            only = spec.get("county_only")
            if only is True:
                county[question.name] = ()
            elif only:
                county[question.name] = tuple(map(str, only))
        kwargs.setdefault("district", codebook.district_column or "district")
        required = [*codebook.required_columns, codebook.district_column]
        if codebook.age_column in required:
            required.append(codebook.age_band_column)
        kwargs.setdefault("complete", tuple(dict.fromkeys(c for c in required if c)))
        return cls(groups=groups, county_only=county, **kwargs)

    def with_min_base(self, min_base: int) -> DisclosurePolicy:
        """The same policy with another minimum base.

        Examples
        --------
        >>> DisclosurePolicy().with_min_base(3).min_base
        3
        """
        return DisclosurePolicy(
            min_base=min_base,
            groups=self.groups,
            county_only=self.county_only,
            district=self.district,
            cost=self.cost,
            assume_margins=self.assume_margins,
            min_effective_base=self.min_effective_base,
            complete=self.complete,
            empty=self.empty,
            leftovers=self.leftovers,
        )

    def publish_value(self, variable: str, value: Any, *, by: Sequence[str]) -> Any:
        """How one value of a grouping variable is published in a table by ``by``.

        Returns the group label for a merged category, None (not shown as a
        group) for a county-only category in a table crossed with district,
        and the value itself otherwise.

        Examples
        --------
        >>> policy = DisclosurePolicy(county_only={"gender": ("X",)})
        >>> policy.publish_value("gender", "X", by=("district", "gender")) is None
        True
        >>> policy.publish_value("gender", "X", by=("gender",))
        'X'
        """
        if value is None or (not isinstance(value, str) and pd.isna(value)):
            return None
        text = str(value)
        crossed = self.district in by and variable != self.district
        if crossed and text in self.county_only.get(variable, ()):
            return None
        for label, members in self.groups.get(variable, {}).items():
            if text in members:
                return label
        return value

    def grouped(self, data: pd.DataFrame, by: Sequence[str]) -> dict[str, pd.Series]:
        """The ``by`` columns of ``data`` that publication changes, as published.

        Raises
        ------
        ListeningError
            If a county-level-only variable is crossed with the district column.

        Examples
        --------
        >>> import pandas as pd
        >>> data = pd.DataFrame({"district": ["a", "b"], "gender": ["Girl", "X"]})
        >>> policy = DisclosurePolicy(county_only={"gender": ("X",)})
        >>> policy.grouped(data, ["district", "gender"])["gender"].tolist()
        ['Girl', nan]
        """
        out = {}
        for variable in by:
            if variable in self.county_only and not self.county_only[variable]:
                if self.district in by and variable != self.district:
                    raise ListeningError(
                        f"{variable!r} is published for the county only (its codebook "
                        f"publication key); do not cross it with {self.district!r}."
                    )
            if variable not in self.groups and variable not in self.county_only:
                continue
            column = data[variable]
            seen = (
                list(column.cat.categories)
                if isinstance(column.dtype, pd.CategoricalDtype)
                else list(column.dropna().unique())
            )
            values = {v: self.publish_value(variable, v, by=by) for v in seen}
            if all(values[v] == v for v in values):
                continue
            labels = list(dict.fromkeys(v for v in values.values() if v is not None))
            mapped = column.astype(object).map(values)
            out[variable] = pd.Series(pd.Categorical(mapped, categories=labels), index=column.index)
        return out

    def cost_of(self, base: float) -> float:
        """Information lost by hiding a group of this base.

        Examples
        --------
        >>> DisclosurePolicy().cost_of(100), round(DisclosurePolicy(cost="log").cost_of(100), 3)
        (100.0, 4.615)
        """
        return float(base) if self.cost == "base" else math.log1p(float(base))


def degenerate_intervals(table: pd.DataFrame, level: float) -> pd.DataFrame:
    """An estimate of exactly 0 or 1: the exact one-sided interval on the Kish effective base.

    Clopper-Pearson with no (or every) respondent choosing the answer out of
    ``n`` effective respondents: ``[0, 1 - (alpha / 2) ** (1 / n)]`` (and its
    mirror for 1). Where the effective base is not known, the bounds stay NaN
    (shown ``[z]``).

    Parameters
    ----------
    table : DataFrame
        Rows with ``estimate``, ``ci_low``, ``ci_high`` and ``kish`` (the
        group's Kish effective base).
    level : float
        Confidence level.

    Returns
    -------
    DataFrame

    Examples
    --------
    >>> import pandas as pd
    >>> rows = pd.DataFrame({"estimate": [0.0, 0.5], "ci_low": [None, 0.4],
    ...                      "ci_high": [None, 0.6], "kish": [20.0, 20.0]})
    >>> degenerate_intervals(rows, 0.95)["ci_high"].round(3).tolist()
    [0.168, 0.6]
    """
    alpha = 1.0 - level
    p = table["estimate"].to_numpy(dtype=float)
    n = table["kish"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        reach = np.where(n >= 1, 1.0 - (alpha / 2) ** (1.0 / n), np.nan)
    low, high = table["ci_low"].to_numpy(dtype=float), table["ci_high"].to_numpy(dtype=float)
    zero, one = p == 0.0, p == 1.0
    table["ci_low"] = np.where(zero, 0.0, np.where(one, 1.0 - reach, low))
    table["ci_high"] = np.where(zero, reach, np.where(one, 1.0, high))
    return table
