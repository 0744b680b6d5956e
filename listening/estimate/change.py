"""Change between two survey waves: before, after, the difference and its test.

The two waves are independent samples, each its own design (its own strata,
clusters and raking). Each wave's proportions come from :func:`proportion`
through its own design's variance interface, so a raked wave keeps its own
raking linearization; the variance of the difference is the sum of the two
waves' variances, and the degrees of freedom the sum of the two waves' domain
degrees of freedom. That equals R on the two waves stacked into one design
(strata = wave x each wave's strata, clusters kept apart by wave; raked on the
margins crossed with wave) with ``svycontrast`` of after minus before
(``tests/golden/make_golden_change.R``).

Examples
--------
>>> import listening as yl
>>> after = yl.SurveyDesign.from_survey(yl.load_sample())
>>> before = yl.SurveyDesign.from_survey(yl.load_sample_2024())
>>> out = yl.change(after, before, "safe_dark", harmonise=yl.load_harmonisation())
>>> out["category"].tolist()
['Very safe', 'Fairly safe', 'Fairly unsafe', 'Very unsafe', 'Feel safe', 'Feel unsafe']
>>> bool((out["difference"] == out["estimate_after"] - out["estimate_before"]).all())
True
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import special

from listening.design.survey_design import SurveyDesign
from listening.errors import ListeningError
from listening.estimate.domains import by_list
from listening.estimate.estimators import holm, mirror_tests, proportion
from listening.estimate.intervals import check_level, qt
from listening.ingest.codebook import Question
from listening.ingest.harmonise import Harmonisation, read_harmonisation

#: The figures of a change table, in its columns' order.
CHANGE_FIGURES = (
    "estimate_before",
    "estimate_after",
    "difference",
    "se",
    "ci_low",
    "ci_high",
    "df",
    "p_value",
    "p_holm",
    "base_before",
    "base_after",
)

#: The columns of a change table after the ``by`` columns.
CHANGE_COLUMNS = ("category", "kind", *CHANGE_FIGURES)


def change(
    after: SurveyDesign,
    before: SurveyDesign,
    question: str,
    *,
    by: str | Sequence[str] | None = None,
    level: float = 0.95,
    harmonise: Harmonisation | str | os.PathLike[str] | None = None,
) -> pd.DataFrame:
    """Change in the share giving each answer between two waves, overall or by group.

    Parameters
    ----------
    after, before : SurveyDesign
        The later and the earlier wave, each its own design (raked on its own
        margins, if raked).
    question : str
        The question, by its name in the ``after`` wave.
    by : str or list of str, optional
        Grouping column(s), present under the same name in both waves (groups
        are matched by label).
    level : float
        Confidence level of the interval.
    harmonise : Harmonisation or path, optional
        Which questions and options of the two codebooks are the same
        (:func:`~listening.ingest.harmonise.read_harmonisation`). Without it,
        a question must have the same name and options in both waves.

    Returns
    -------
    DataFrame
        One row per group and category: the options (``kind`` "option"),
        then the ``after`` codebook's nets (``kind`` "net"; a multi-select
        question gives one row per option, the share ticking it). Columns:
        the ``by`` columns, ``category``, ``kind``, ``estimate_before``,
        ``estimate_after``, ``difference`` (after minus before), ``se``,
        ``ci_low``, ``ci_high`` (t interval on ``df``, the sum of the two
        waves' domain degrees of freedom), ``df``, ``p_value`` (two-sided t
        test of no change), ``p_holm`` (Holm-adjusted across the rows of the
        table, mirror-image tests counted once), ``base_before``,
        ``base_after`` (respondents in the group who answered). These are raw
        figures, like :func:`proportion`: publish them through
        :func:`listening.publish.change_table.change_table`, which applies the
        disclosure policy to both waves.

    Raises
    ------
    NotHarmonisedError
        If the question cannot be matched across the waves; the message says
        what to add to the harmonisation mapping.

    Examples
    --------
    >>> import listening as yl
    >>> after = yl.SurveyDesign.from_survey(yl.load_sample())
    >>> before = yl.SurveyDesign.from_survey(yl.load_sample_2024())
    >>> out = yl.change(after, before, "seen_knife", by="district")
    >>> out.loc[out["category"] == "Yes", "district"].tolist()[:2]
    ['Cambridge', 'East Cambridgeshire']
    >>> try:
    ...     yl.change(after, before, "safe_online")
    ... except yl.NotHarmonisedError as err:
    ...     print(str(err)[:46])
    'safe_online' is not in the before wave's code
    """
    check_level(level)
    mapping = _mapping(harmonise)
    by_cols = by_list(by)
    for wave, design in (("after", after), ("before", before)):
        missing = [c for c in by_cols if c not in design.data.columns]
        if missing:
            raise ListeningError(
                f"change: by column(s) {missing} are not in the {wave} wave's data "
                f"(columns: {', '.join(map(str, design.data.columns[:12]))}, ...); "
                "group by a column both waves have under the same name."
            )
    name, relabel = mapping.resolve(question, after.codebook, before.codebook)
    spec = _spec(after, question)
    if name not in before.data.columns and not (spec is not None and spec.type == "multi"):
        raise ListeningError(
            f"change: column {name!r} is not in the before wave's data; read the before "
            "wave with its own codebook, or name its column in the harmonisation mapping."
        )
    if question not in after.data.columns and not (spec is not None and spec.type == "multi"):
        raise ListeningError(f"change: column {question!r} is not in the after wave's data.")
    after_rows = _wave_rows(after, question, question, spec, {}, by_cols)
    before_spec = _spec(before, name)
    reworded = mapping.option_map(question)
    before_rows = _wave_rows(before, question, name, spec, relabel, by_cols, before_spec, reworded)
    return _compare(after_rows, before_rows, by_cols, level)


def _mapping(harmonise: Harmonisation | str | os.PathLike[str] | None) -> Harmonisation:
    if harmonise is None:
        return Harmonisation()
    if isinstance(harmonise, Harmonisation):
        return harmonise
    return read_harmonisation(harmonise)


def _spec(design: SurveyDesign, question: str) -> Question | None:
    codebook = design.codebook
    if codebook is None or question not in codebook.questions:
        return None
    return codebook.question(question)


def _wave_rows(
    design: SurveyDesign,
    question: str,
    column: str,
    spec: Question | None,
    relabel: dict[str, str],
    by_cols: list[str],
    own_spec: Question | None = None,
    reworded: dict[str, str] | None = None,
) -> pd.DataFrame:
    """One wave's proportions (options, then nets) in the after wave's labels."""
    data = design.data
    if spec is not None and spec.type == "multi":
        own = own_spec or spec
        new, items = {}, []
        for i, option in enumerate(spec.options):
            label = (reworded or {}).get(option, option)
            source = own.option_columns.get(label)
            if source is None or source not in data.columns:
                raise ListeningError(
                    f"change: the option column of {label!r} of {column!r} is not in the "
                    "wave's data; read the wave with its own codebook."
                )
            new[f"__change_{i}"] = data[source].astype("boolean")
            items.append((f"__change_{i}", option, "option"))
        for j, (net, members) in enumerate(spec.nets.items()):
            ticked = pd.concat([new[f"__change_{spec.options.index(m)}"] for m in members], axis=1)
            answered = pd.concat(list(new.values()), axis=1).notna().any(axis=1)
            new[f"__change_net_{j}"] = ticked.fillna(False).any(axis=1).astype("boolean")
            new[f"__change_net_{j}"] = new[f"__change_net_{j}"].where(answered)
            items.append((f"__change_net_{j}", _net_label(net, spec), "net"))
        design = design.with_columns(**new)
        pieces = [
            _picked(proportion(design, c, by=by_cols), label, kind) for c, label, kind in items
        ]
        return pd.concat(pieces, ignore_index=True)
    answers = data[column]
    if relabel or spec is not None:
        answers = answers.astype("category")
        answers = answers.cat.rename_categories(
            {c: relabel.get(str(c), c) for c in answers.cat.categories}
        )
        if spec is not None:
            answers = answers.cat.set_categories(list(spec.options), ordered=spec.ordered)
    new = {"__change_q": answers}
    nets = list(spec.nets.items()) if spec is not None else []
    for j, (_, members) in enumerate(nets):
        new[f"__change_net_{j}"] = answers.isin(members).astype("boolean").where(answers.notna())
    design = design.with_columns(**new)
    options = proportion(design, "__change_q", by=by_cols)
    options["category"] = options["category"].astype(str)
    options["kind"] = "option"
    pieces = [options]
    for j, (net, _) in enumerate(nets):
        rows = proportion(design, f"__change_net_{j}", by=by_cols)
        pieces.append(_picked(rows, _net_label(net, spec), "net"))
    return pd.concat(pieces, ignore_index=True)


def _net_label(net: str, spec: Question) -> str:
    return f"{net} (net)" if net in spec.options else net


def _picked(rows: pd.DataFrame, label: str, kind: str) -> pd.DataFrame:
    """The ``True`` rows of an indicator's proportions (every group keeps a row)."""
    true = rows["category"].astype(str) == "True"
    if not true.any():  # nobody ticked it: the share is 0 in every group
        out = rows[rows["category"].astype(str) == "False"].copy()
        out["estimate"] = 1.0 - out["estimate"]
        out["n"] = 0
    else:
        out = rows[true].copy()
    out["category"] = label
    out["kind"] = kind
    return out


def _compare(
    after: pd.DataFrame, before: pd.DataFrame, by_cols: list[str], level: float
) -> pd.DataFrame:
    keys = [*by_cols, "category", "kind"]
    for frame in (after, before):
        for c in by_cols:
            frame[c] = frame[c].astype(str)
    columns = ["estimate", "se", "df", "base"]
    after = after[[*keys, *columns]].assign(_position=np.arange(len(after), dtype=float))
    before = before[[*keys, *columns]].assign(_position=len(after) + np.arange(len(before)))
    merged = after.merge(before, on=keys, how="outer", suffixes=("_after", "_before"))
    # the after wave's order (groups as seen, each group's options then nets), then
    # whatever only the before wave has
    position = merged["_position_after"].fillna(merged["_position_before"]).to_numpy()
    merged = merged.iloc[np.argsort(position, kind="stable")].reset_index(drop=True)
    if by_cols:
        group = merged[by_cols].astype(str).agg("\x1f".join, axis=1)
        first = {key: i for i, key in reversed(list(enumerate(group)))}
        order = np.argsort(group.map(first).to_numpy(), kind="stable")
        merged = merged.iloc[order].reset_index(drop=True)
    difference = (merged["estimate_after"] - merged["estimate_before"]).to_numpy(dtype=float)
    se = np.sqrt(merged["se_after"] ** 2 + merged["se_before"] ** 2).to_numpy(dtype=float)
    df = (merged["df_after"] + merged["df_before"]).to_numpy(dtype=float)
    t = qt(level, np.nan_to_num(df, nan=0.0))
    with np.errstate(invalid="ignore", divide="ignore"):
        stat = np.where(se > 0, np.abs(difference) / se, np.nan)
        p = np.where(df > 0, 2.0 * special.stdtr(np.maximum(df, 1), -stat), np.nan)
    group = pd.factorize(merged[by_cols].astype(str).agg("\x1f".join, axis=1))[0] if by_cols else 0
    category = pd.factorize(merged["category"])[0]
    tests = mirror_tests(difference, p, np.broadcast_to(group, p.shape), category)
    out = merged[keys].copy()
    out["estimate_before"] = merged["estimate_before"].to_numpy(dtype=float)
    out["estimate_after"] = merged["estimate_after"].to_numpy(dtype=float)
    out["difference"] = difference
    out["se"] = se
    out["ci_low"] = difference - t * se
    out["ci_high"] = difference + t * se
    out["df"] = df
    out["p_value"] = p
    out["p_holm"] = holm(p, tests)
    out["base_before"] = merged["base_before"].fillna(0).astype(int).to_numpy()
    out["base_after"] = merged["base_after"].fillna(0).astype(int).to_numpy()
    return out[[*by_cols, *CHANGE_COLUMNS]]
