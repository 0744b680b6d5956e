"""Overview: headline indicators for the county, and one group against the rest."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app_pages import shared
from listening.charts import interval_plot
from listening.explorer import significance_phrase

ctx = shared.context()
source = ctx.source
weighted = source.raked is not None

st.title("How safe do young people feel?")
st.caption(
    f"{source.label}. {source.weighting_note} Percentages are of those who answered the "
    "question, with 95% confidence intervals."
)

county = shared.headlines(source.key, weighted, ctx.ci, ctx.min_base)

st.subheader("Across Cambridgeshire and Peterborough")
for start in range(0, len(county), 4):
    for column, (_, row) in zip(st.columns(4), county.iloc[start : start + 4].iterrows()):
        column.metric(row["indicator"], shared.percent(row["estimate"]), border=True)
        if row["suppressed"]:
            column.caption("[c] too few answers to show")
        else:
            column.caption(
                f"95% interval {shared.percent(row['ci_low'])} to "
                f"{shared.percent(row['ci_high'])} · {int(row['base']):,} answered"
            )

shown = pd.DataFrame(
    {
        "Indicator": county["indicator"],
        "%": [shared.percent(v) for v in county["estimate"]],
        "95% interval": [
            "[c]" if h else f"{lo * 100:.1f} to {hi * 100:.1f}"
            for lo, hi, h in zip(county["ci_low"], county["ci_high"], county["suppressed"])
        ],
        "Answered (base)": [
            "[c]" if h else f"{int(b):,}" for b, h in zip(county["base"], county["suppressed"])
        ],
    }
)
chart_table = county.rename(columns={"indicator": "group"}).assign(category="Yes")
fig = interval_plot(chart_table, by="group", category="Yes", title="Headline indicators")
fig.update_layout(xaxis_title="% of young people who answered", xaxis_range=[0, 100])
left, right = st.columns([3, 2])
with left:
    shared.show_chart(fig, key="overview-chart")
    shared.download_chart(fig, "headline indicators", key="overview-chart")
with right:
    st.dataframe(shown, hide_index=True, key="overview-table")
    shared.download_table(shown, "headline indicators", key="overview-table")

st.subheader("Compare a district or age group with the rest of the county")
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
group = right.selectbox(f"Which {by_label.lower()}", groups, key="overview_group")

compared = shared.comparison(source.key, weighted, by, str(group), ctx.ci, ctx.min_base)
rest = "the rest of the county"
lines = []
for _, row in compared.iterrows():
    if row["suppressed"]:
        lines.append(f"- **{row['indicator']}**: [c] too few answers in {group} to compare.")
    else:
        lines.append(
            f"- **{row['indicator']}**: {shared.percent(row['estimate'])} in {group}, "
            f"{significance_phrase(row['vs_rest'], rest)} ({shared.percent(row['rest'])})."
        )
st.markdown("\n".join(lines))
table = pd.DataFrame(
    {
        "Indicator": compared["indicator"],
        f"{group} %": [shared.percent(v) for v in compared["estimate"]],
        "95% interval": [
            "[c]" if h else f"{lo * 100:.1f} to {hi * 100:.1f}"
            for lo, hi, h in zip(compared["ci_low"], compared["ci_high"], compared["suppressed"])
        ],
        "Answered (base)": [
            "[c]" if h else f"{int(b):,}" for b, h in zip(compared["base"], compared["suppressed"])
        ],
        "Rest of the county %": [shared.percent(v) for v in compared["rest"]],
        "Compared with the rest of the county": [
            "[c]" if h else significance_phrase(s, rest)
            for s, h in zip(compared["vs_rest"], compared["suppressed"])
        ],
    }
)
st.dataframe(table, hide_index=True, key="overview-compare")
st.caption(
    "Differences are tested with design-based t-tests, adjusted for testing many groups "
    "(Holm); 'not significantly different' means the survey cannot tell them apart."
)
shared.download_table(table, f"{group} compared with the rest", key="overview-compare")
