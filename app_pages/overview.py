"""Overview: headline indicators for the county, and one group against the rest."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app_pages import shared
from listening.explorer.escape import escape_markdown
from listening.explorer.views import (
    HEADLINES,
    comparison_display,
    comparison_sentences,
    headline_display,
)

ctx = shared.context()
source = ctx.source
weighted = source.raked is not None

st.title("How safe do young people feel?")
st.caption(
    f"{escape_markdown(source.label)}. {escape_markdown(source.weighting_note)} "
    "Percentages are of those who answered the question, with 95% confidence intervals "
    "(the range the true figure is likely to be in). Don't know and prefer-not-to-say "
    "answers are left out."
)

county = shared.headlines(source.key, weighted, ctx.ci, ctx.min_base)
if county.empty:
    st.info(
        "This codebook has none of the headline questions (how safe young people feel by "
        "day, after dark, at school, ...). "
        "Use *Explore a question* for its questions."
    )
    st.stop()

st.header("Across Cambridgeshire and Peterborough")
for start in range(0, len(county), 4):
    row_of_cards = county.iloc[start : start + 4]
    for column, (_, row) in zip(st.columns(4), row_of_cards.iterrows(), strict=False):
        column.metric(
            escape_markdown(row["short"]),
            shared.percent(row["estimate"]),
            border=True,
            help=escape_markdown(row["indicator"]),
        )
        if row["suppressed"]:
            protect = row.get("reason", "") == "secondary"
            column.caption(
                "[c] hidden to protect a smaller group"
                if protect
                else "[c] too few answers to show"
            )
        else:
            column.caption(
                f"95% interval {shared.percent(row['ci_low'])} to "
                f"{shared.percent(row['ci_high'])} · {int(row['base']):,} answered"
            )

shown = headline_display(county)
fig = shared.view(source.key, shared.headline_chart, county)
TABLE = "Headline indicators across the county"
shared.show_chart(fig, key="overview-chart", table=TABLE)
shared.download_chart(fig, "headline indicators", key="overview-chart")
shared.show_table(shown, key="overview-table", label=TABLE)


def headline_tables(by: tuple[str, ...]) -> list:
    """The crosstabs behind the headline indicators (for the briefing download)."""
    return [
        shared.crosstab(source.key, weighted, h.question, by, (), ctx.min_base, ctx.ci, 0.95)
        for h in HEADLINES
        if h.question in source.codebook.questions
    ]


shared.download_table(
    shown, "headline indicators", tables=lambda: headline_tables(()), key="overview-table"
)

st.header("Compare a district or age group with the rest of the county")
book = source.codebook
choices = {"District": book.district_column, "Age band": book.age_band_column}
left, right = st.columns(2)
by_label = left.radio("Compare by", list(choices), horizontal=True, key="overview_by")
by = choices[by_label]
values = source.survey.data[by]
groups = (
    list(values.cat.categories)
    if isinstance(values.dtype, pd.CategoricalDtype)
    else sorted(values.dropna().astype(str).unique())
)
group = right.selectbox(
    f"Which {by_label.lower()}",
    groups,
    index=None,
    placeholder=f"Choose a {by_label.lower()}",
    key="overview_group",
)
if group is None:
    st.info(
        f"Choose a {by_label.lower()} to compare it with the rest of the county. The first "
        "comparison takes a while: every table the explorer can show of the headline "
        "questions is protected together, so that no page or filter reveals a small group."
    )
else:
    compared = shared.comparison(source.key, weighted, by, str(group), ctx.ci, ctx.min_base)
    lines = comparison_sentences(compared, str(group))
    st.markdown("\n".join(f"- {escape_markdown(line)}" for line in lines))
    table = comparison_display(compared, str(group))
    shared.show_table(table, key="overview-compare", label=f"{group} compared with the rest")
    st.caption(
        "Differences are tested with design-based t-tests, adjusted for testing many groups "
        "(Holm); 'not significantly different' means the survey cannot tell them apart. "
        f"[c]: fewer than {ctx.min_base} answered, or hidden to protect a smaller group; a "
        "group hidden here is hidden on every page (Explore, the Map) for the same question."
    )
    shared.download_table(
        table,
        f"{group} compared with the rest",
        tables=lambda: headline_tables((by,)),
        key="overview-compare",
    )
