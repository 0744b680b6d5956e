"""Map: one answer or net by district, suppressed districts greyed and labelled."""

from __future__ import annotations

import streamlit as st

from app_pages import shared
from listening.explorer.escape import escape_chart_text, escape_markdown
from listening.explorer.publication import hidden_note
from listening.explorer.views import categories, display_table, question_choices

ctx = shared.context()
source = ctx.source
book = source.codebook
district = book.district_column

st.title("Map of the six districts")
if source.geojson is None or not district:
    st.warning("No district boundaries are available for this data source.")
    st.stop()

choices = {
    name: wording
    for name, wording in question_choices(book).items()
    if book.question(name).type == "single"
}
left, middle, right = st.columns([3, 2, 1])
question_name = left.selectbox(
    "Question",
    list(choices),
    index=list(choices).index("safe_dark") if "safe_dark" in choices else 0,
    format_func=lambda n: choices[n],
    key="map_question",
)
question = book.question(question_name)
answers = categories(question)
default = next((c for c in answers if c in question.nets), answers[0])
answer = middle.selectbox("Answer or net", answers, index=answers.index(default), key="map_answer")
weighting = right.radio(  # just "Unweighted" with no margins (not disabled: faint)
    "Estimates",
    ["Weighted", "Unweighted"] if source.raked is not None else ["Unweighted"],
    key="map_weighting" if source.raked is not None else "map_unweighted",
)
weighted = weighting == "Weighted" and source.raked is not None
try:
    tab = shared.crosstab(
        source.key, weighted, question_name, (district,), (), ctx.min_base, ctx.ci, 0.95
    )
except Exception as err:  # show what went wrong in words, never a traceback
    st.error(escape_markdown(shared.failure(err)))
    st.stop()

table = tab.table[tab.table["category"] == answer]
title = escape_chart_text(f"{answer}: {question.wording}")
fig = shared.view(
    source.key, shared.district_map, table, category=answer, district=district, title=title
)
# Every row is the same answer (the title says which): no Answer column.
shown = shared.view(source.key, display_table, table, district, rest="the rest of the county").drop(
    columns="Answer"
)
missing = sorted(
    set(table[district].astype(str))
    - {"All"}
    - {str(f["properties"]["name"]) for f in source.geojson.get("features", [])}
)
if missing:
    st.warning(f"No boundary for {escape_markdown(', '.join(missing))}: shown in the table only.")

# One column: the map as wide as the page (a phone too), the table below it at full width.
label = f"{answer} by district"
shared.show_chart(fig, key="map-chart", table=label)
shared.download_chart(fig, f"map {question_name} {answer}", key="map-chart")
shared.show_table(shown, key="map-table", label=label)
shared.download_table(shown, f"map {question_name} {answer}", crosstab=tab, key="map-table")
st.caption(
    "Hover over a district for its 95% interval and the number who answered. Grey, hatched "
    f"districts show [c]: fewer than {ctx.min_base} answered, or hidden to protect a smaller "
    "group (so that it cannot be worked out from the county total or other pages). "
    "Percentages are of those who answered; don't know and prefer-not-to-say answers are "
    "left out. Weighted base: how many young people the answers stand for."
)
why = hidden_note(table, [district], ctx.min_base)
if why:
    st.caption(escape_markdown(why))
