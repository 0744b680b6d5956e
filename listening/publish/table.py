"""What a briefing table holds: its columns and the :class:`CrosstabData` record.

The writers (:mod:`listening.publish.exports`, :mod:`listening.publish.briefing`)
and the builder (:mod:`listening.publish.tables`) share this module, so they
need not import each other.

Examples
--------
>>> ALL, TABLE_COLUMNS[:3]
('All', ('category', 'estimate', 'se'))
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from listening.estimate.association import RaoScottResult
    from listening.publish.disclosure import DisclosurePolicy

ALL = "All"
ESTIMATE_COLUMNS: tuple[str, ...] = ("estimate", "se", "ci_low", "ci_high", "n")
TABLE_COLUMNS: tuple[str, ...] = (
    "category",
    "estimate",
    "se",
    "ci_low",
    "ci_high",
    "n",
    "base",
    "weighted_base",
    "suppressed",
    "vs_rest",
    "reason",
    "low_reliability",
)


@dataclass(frozen=True, eq=False)
class CrosstabData:
    """The contents of a briefing table (:class:`~listening.publish.tables.Crosstab` adds writers).

    Attributes
    ----------
    table : DataFrame
        The ``by`` column(s) (``"All"`` for the whole population, first),
        ``category`` (answer options, then nets), ``estimate`` (a proportion),
        ``se``, ``ci_low``, ``ci_high``, ``n``, ``base``, ``weighted_base``,
        ``suppressed``, ``vs_rest`` (+1 / 0 / -1), ``reason`` (why a group
        is hidden: ``"threshold"``, fewer than ``min_base`` answered, or
        ``"secondary"``, hidden to protect a smaller group; ``""`` when shown)
        and ``low_reliability`` (the estimate's effective base is below the
        policy's ``min_effective_base``: shown ``[u]``). Suppressed groups have
        NaN / NA estimates, standard errors, bounds, ``n``, ``base`` and
        ``weighted_base``.
    test : RaoScottResult, dict or None
        The Rao-Scott test of ``question`` against ``by`` (a combined ``by``
        is tested as one variable of its combinations). For a multi-select
        question, a dict from each option to the test of that option (ticked
        or not) against ``by``. None (or a None value) where a test cannot be
        run (fewer than two categories on a side).
    question : str
        The analysed column (for a multi-select question, the question name).
    by : tuple of str
        The grouping column(s).
    title : str
        The question wording (or ``question`` without a codebook).
    kind : str
        ``"single"`` (one answer: proportions add to 1 in a group, before
        nets) or ``"multi"`` (each option the share mentioning it).
    min_base, level, ci : int, float, str
        The suppression threshold, confidence level and interval method.
    weighting : str
        How the estimates are weighted, in words.
    method : str
        The sample design and how standard errors are computed, in words.
    source : str
        Where the data come from.
    notes : tuple of str
        Further notes for readers.
    policy : DisclosurePolicy or None
        The disclosure policy the table was protected by.

    Examples
    --------
    >>> import pandas as pd
    >>> import listening as yl
    >>> data = pd.DataFrame({"g": list("ab") * 10, "q": list("xxyyy") * 4})
    >>> tab = yl.crosstab(yl.SurveyDesign(data), "q", by="g", min_base=5)
    >>> tab.by, tab.kind, round(tab.test.p_value, 3)
    (('g',), 'single', 1.0)
    """

    table: pd.DataFrame
    test: RaoScottResult | dict[str, RaoScottResult | None] | None
    question: str
    by: tuple[str, ...]
    title: str
    kind: str = "single"
    min_base: int = 10
    level: float = 0.95
    ci: str = "logit"
    weighting: str = ""
    method: str = ""
    source: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)

    def __repr__(self) -> str:
        """A compact view: the title, then each group's percentages with [c] where hidden.

        Examples
        --------
        >>> import pandas as pd
        >>> import listening as yl
        >>> data = pd.DataFrame({"g": list("ab") * 10, "q": list("xy") * 10})
        >>> print(repr(yl.crosstab(yl.SurveyDesign(data), "q", by="g")).splitlines()[0])
        Crosstab: q by g (minimum base 10, 95% intervals)
        """
        t = self.table
        shown = t[[*self.by, "category"]].astype(str)
        pct = (100 * t["estimate"]).map(lambda v: "[c]" if pd.isna(v) else f"{v:.1f}%")
        low = (100 * t["ci_low"]).map(lambda v: "" if pd.isna(v) else f"{v:.1f}")
        high = (100 * t["ci_high"]).map(lambda v: "" if pd.isna(v) else f"{v:.1f}")
        shown["%"] = pct
        shown["interval"] = [f"{a}-{b}" if a else "" for a, b in zip(low, high, strict=True)]
        shown["base"] = t["base"].map(lambda v: "[c]" if pd.isna(v) else f"{int(v):,}")
        head = (
            f"Crosstab: {self.title} by {' x '.join(self.by)} "
            f"(minimum base {self.min_base}, {self.level:.0%} intervals)"
        )
        return head + "\n" + shown.to_string(index=False)

    policy: DisclosurePolicy | None = None
