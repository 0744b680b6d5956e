"""Explore a question: any question by up to two breakdowns, filtered to a domain."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

import listening as yl
from app_pages import shared
from listening.explorer.escape import escape_chart_text, escape_markdown
from listening.explorer.estimates import (
    ADJUSTED_CAPTION,
    adjusted_display,
    adjustment_columns,
    can_adjust,
    totals_display,
)
from listening.explorer.publication import hidden_note, refusal, shown_test
from listening.explorer.views import (
    BREAKDOWNS,
    answer_choices,
    display_table,
    is_scale,
    question_choices,
)

Settings = tuple[
    bool, str, tuple[str, ...], tuple[tuple[str, tuple[str, ...]], ...], int, str, float
]
"""What defines a table: :func:`shared.crosstab`'s arguments after the source (weighted,
question, breakdown, filters, minimum base, interval method, level). The views below are
cached on these small tuples (:func:`shared.view`), not on the table: hashing a frame
took 10-17 ms a rerun."""


def explore_table(source_key: str, settings: Settings) -> tuple[pd.DataFrame, str]:
    """The table as shown, and which groups it hides and why."""
    table = shared.crosstab(source_key, *settings).table
    by, level, min_base = list(settings[2]), settings[6], settings[4]
    return display_table(table, by, level=level), hidden_note(table, by, min_base)


def explore_chart(
    source_key: str, settings: Settings, kind: str, answer: str, title: str, options: tuple
) -> go.Figure:
    """The chart: every option ranked (``kind`` "ranked"), the scale's bars ("scale") or one
    answer's intervals ("interval")."""
    table = shared.crosstab(source_key, *settings).table
    by = list(settings[2]) or None
    if kind == "ranked":
        return yl.charts.ranked_options(table, by=by, title=title)
    if kind == "scale":
        return yl.charts.scale_bars(table, by=by, options=list(options), title=title)
    return yl.charts.interval_plot(table, by=by, category=answer, title=title, level=settings[6])


def explore_totals(
    source_key: str, settings: Settings, answer: str
) -> tuple[pd.DataFrame, dict[str, str] | None] | None:
    """How many young people gave ``answer`` (:func:`shared.totals`) as shown, with the
    figures of everyone in the filter when shown; None when the answer cannot be counted."""
    weighted, question_name, by, filter_key, min_base, ci, level = settings
    counted = shared.totals(
        source_key, weighted, question_name, by, filter_key, (min_base, ci, level), answer
    )
    if counted.empty:
        return None
    shown_totals = totals_display(counted, list(by), level=level)
    everyone = (counted[list(by)] == "All").all(axis=1).to_numpy()
    if not everyone.any() or counted.loc[everyone, "hidden"].iloc[0]:
        return shown_totals, None
    return shown_totals, {k: str(v) for k, v in shown_totals[everyone].iloc[0].items()}


ctx = shared.context()
source = ctx.source
book = source.codebook

st.title("Explore a question")
st.caption(
    "Pick a question and how to break it down. Filters narrow the estimates to part of the "
    "population (for instance only girls aged 14-15) while keeping the survey design, so "
    "intervals stay honest."
)


@shared.page_fragment
def explore_page() -> None:
    """Everything below the title: a widget change here reruns only this part."""
    choices = question_choices(book)
    question_name = shared.question_box(st, choices, key="explore_question")
    question = book.question(question_name)
    available = {label: col for label, col in BREAKDOWNS.items() if col in source.survey.data}

    left, middle, right = st.columns([2, 1, 1])
    breakdown = left.multiselect(
        "Break down by (up to two)",
        list(available),
        default=["District"],
        max_selections=2,
        key="explore_by",
    )
    weighting = middle.radio(  # just "Unweighted" with no margins (not disabled: faint)
        "Estimates",
        ["Weighted", "Unweighted"] if source.raked is not None else ["Unweighted"],
        key="explore_weighting" if source.raked is not None else "explore_unweighted",
        help="Weighted estimates stand for all young people in the area (raked to ONS "
        "population counts); unweighted ones describe the respondents as they are.",
    )
    level = right.select_slider(
        "Confidence level",
        options=[0.90, 0.95, 0.99],
        value=0.95,
        format_func=lambda v: f"{v:.0%}",
        key="explore_level",
    )

    with st.expander("Filter: look at part of the population", expanded=False):
        filters: dict[str, list[str]] = {}
        columns = st.columns(len(available) or 1)
        for column, (label, name) in zip(columns, available.items(), strict=False):
            values = source.survey.data[name]
            levels = (  # not sorted(...) as getattr's default: that sorted every column every run
                values.dtype.categories
                if isinstance(values.dtype, pd.CategoricalDtype)
                else sorted(values.dropna())
            )
            options = [str(v) for v in levels]
            filters[name] = column.multiselect(
                f"Only these ({label.lower()})", options, key=f"explore_filter_{name}"
            )
    chosen = {k: v for k, v in filters.items() if v}
    if chosen:
        names = {name: label for label, name in available.items()}
        described = "; ".join(f"{names.get(k, k)}: {', '.join(v)}" for k, v in chosen.items())
        st.info(
            f"Filtered to {escape_markdown(described)}. Percentages are of those in the filter "
            "who answered."
        )

    by = tuple(available[label] for label in breakdown)
    weighted = weighting == "Weighted" and source.raked is not None
    refused = refusal(by, chosen)
    if refused:  # a three-way table: not published, its small groups could be worked out
        st.warning(escape_markdown(refused))
        return
    filter_key = shared.filters_key(chosen)
    settings = (weighted, question_name, by, filter_key, ctx.min_base, ctx.ci, float(level))
    try:
        tab = shared.crosstab(source.key, *settings)
    except yl.ListeningError as err:  # says what to change: show it, never a traceback
        st.error(f"These estimates cannot be made: {escape_markdown(err)}")
        return

    table = tab.table
    shown, why = shared.view(source.key, explore_table, source.key, settings)
    title = escape_chart_text(question.wording) + (
        f" by {' and '.join(b.lower() for b in breakdown)}" if by else ""
    )

    if is_scale(question) or question.type == "multi":
        chart_kind = st.radio(
            "Chart",
            ["All answers", "One answer or net"],
            horizontal=True,
            key="explore_chart",
        )
    else:
        chart_kind = "One answer or net"
    answers, default = answer_choices(question, table)
    answer = st.selectbox(
        "Answer or net",
        answers,
        index=answers.index(default),
        key="explore_answer",
        help="Charted when the chart shows one answer; counted in young people, and adjusted "
        "for age and sex by district, below the table.",
    )
    if chart_kind == "All answers":
        kind = "ranked" if question.type == "multi" else "scale"
    else:
        kind = "interval"
    charted = answer if kind == "interval" else ""  # the other charts show every answer
    options = tuple(question.options) if kind == "scale" else ()
    fig = shared.view(
        source.key, explore_chart, source.key, settings, kind, charted, title, options
    )

    TABLE = "The figures behind the chart"
    shared.show_chart(fig, key="explore-chart", table=TABLE)
    shared.download_chart(fig, f"{question_name} chart", key="explore-chart")
    shared.show_table(shown, key="explore-table", label=TABLE)
    shared.download_table(shown, f"{question_name} table", crosstab=tab, key="explore-table")

    test = shown_test(tab)
    if len(by) == 1 and test is None:
        st.caption(
            "No test of whether the groups differ is stated: it would take in the hidden groups, "
            "and could narrow down their answers."
        )
    if isinstance(test, yl.RaoScottResult) and len(by) == 1 and test.p_value == test.p_value:
        verdict = "differ significantly" if test.p_value < 0.05 else "do not differ significantly"
        st.caption(
            f"Answers {verdict} by {breakdown[0].lower()} (Rao-Scott test, p = "
            f"{test.p_value:.3f}; the test allows for the weighting and for surveying whole "
            "schools, and p below 0.05 means the differences are unlikely to be chance)."
        )
    st.caption(
        f"[c]: fewer than {ctx.min_base} answered in that group, or hidden to protect a smaller "
        "group (so that it cannot be worked out from the total, other tables, pages or filters). "
        "'All' is everyone in the filter who answered. Weighted base: how many young people "
        "the answers stand for. Don't know and prefer-not-to-say answers are left out."
    )
    if why:
        st.caption(escape_markdown(why))

    if weighted:
        counted = shared.view(source.key, explore_totals, source.key, settings, answer)
        if counted is None:
            st.caption("This answer cannot be counted on its own (it is a net of several ticks).")
        else:
            shown_totals, row = counted
            if row is not None:
                st.markdown(
                    f"{escape_markdown(answer)}: {escape_markdown(row['%'])}% of those who "
                    f"answered, about {escape_markdown(row['About (young people)'])} young people "
                    f"({level:.0%} interval {escape_markdown(row[f'{level:.0%} interval'])})."
                )
            shared.show_table(
                shown_totals, key="explore-totals", label=f"How many young people: {answer}"
            )
            st.caption(
                "The number of young people in the population giving this answer (the weighted "
                "total), rounded to the nearest 10 (100 from 1,000, 1,000 from 100,000). [c]: "
                "hidden as in the table above; [u]: low reliability, as in the table."
            )
    else:
        st.caption(
            "Numbers of young people need weighted estimates: unweighted, they would only "
            "count the respondents, not the young people they stand for."
        )

    if list(by) == [book.district_column]:
        factors = adjustment_columns(book, source.design(weighted).data)
        possible = can_adjust(question, answer, by, book) and len(factors) == 2
        adjust = st.toggle(
            "Adjust district figures for age and sex",
            key="explore_adjust",
            disabled=not possible,
            help="For one answer or net of a single-choice question, in data with age band and sex."
            if not possible
            else None,
        )
        if adjust and possible:
            with st.spinner("Fitting the model..."):
                try:
                    margins = shared.adjusted(
                        source.key,
                        weighted,
                        question_name,
                        by,
                        filter_key,
                        (ctx.min_base, ctx.ci, float(level)),
                        answer,
                    )
                except yl.ListeningError as err:
                    st.error(f"The adjusted figures cannot be made: {escape_markdown(err)}")
                    margins = None
            if margins is not None:
                shared.show_table(
                    adjusted_display(margins, book.district_column, level=float(level)),
                    key="explore-adjusted",
                    label=f"District figures adjusted for age and sex: {answer}",
                )
                st.caption(
                    f"{ADJUSTED_CAPTION} Answer: {escape_markdown(answer)}. [c]: hidden as in the "
                    "table above; [u]: low reliability."
                )


explore_page()
