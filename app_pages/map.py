"""Map: one answer or net by district, suppressed districts greyed and labelled."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from app_pages import shared
from listening.explorer.escape import escape_chart_text, escape_markdown
from listening.explorer.publication import hidden_note
from listening.explorer.views import categories, display_table, question_choices


def map_views(
    source_key: str, settings: tuple, answer: str, title: str, district: str, names: tuple
) -> tuple[go.Figure, pd.DataFrame, str, list[str]]:
    """The map of ``answer`` by district from :func:`shared.crosstab` with ``settings``, its
    table as shown, which districts it hides and why, and the districts with no boundary
    among ``names`` (the GeoJSON's). Cached on these small arguments (:func:`shared.view`),
    not on the table: hashing a frame took 10-17 ms a rerun."""
    table = shared.crosstab(source_key, *settings).table
    table = table[table["category"] == answer]
    fig = shared.district_map(table, category=answer, district=district, title=title)
    # Every row is the same answer (the title says which): no Answer column.
    shown = display_table(table, district, rest="the rest of the county").drop(columns="Answer")
    why = hidden_note(table, [district], settings[4])
    missing = sorted(set(table[district].astype(str)) - {"All"} - set(names))
    return fig, shown, why, missing


ctx = shared.context()
source = ctx.source
book = source.codebook
district = book.district_column

st.title("Map of the six districts")
if source.geojson is None or not district:
    st.warning("No district boundaries are available for this data source.")
    st.stop()


@shared.page_fragment
def map_page() -> None:
    """Everything below the title: a widget change here reruns only this part."""
    choices = {
        name: wording
        for name, wording in question_choices(book).items()
        if book.question(name).type == "single"
    }
    left, middle, right = st.columns([3, 2, 1])
    question_name = shared.question_box(left, choices, key="map_question")
    question = book.question(question_name)
    answers = categories(question)
    default = next((c for c in answers if c in question.nets), answers[0])
    answer = middle.selectbox(
        "Answer or net", answers, index=answers.index(default), key="map_answer"
    )
    weighting = right.radio(  # just "Unweighted" with no margins (not disabled: faint)
        "Estimates",
        ["Weighted", "Unweighted"] if source.raked is not None else ["Unweighted"],
        key="map_weighting" if source.raked is not None else "map_unweighted",
    )
    weighted = weighting == "Weighted" and source.raked is not None
    settings = (weighted, question_name, (district,), (), ctx.min_base, ctx.ci, 0.95)
    try:
        tab = shared.crosstab(source.key, *settings)
    except Exception as err:  # show what went wrong in words, never a traceback
        st.error(escape_markdown(shared.failure(err)))
        return

    title = escape_chart_text(f"{answer}: {question.wording}")
    names = tuple(str(f["properties"]["name"]) for f in source.geojson.get("features", []))
    fig, shown, why, missing = shared.view(
        source.key, map_views, source.key, settings, answer, title, district, names
    )
    if missing:
        st.warning(
            f"No boundary for {escape_markdown(', '.join(missing))}: shown in the table only."
        )

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
    if why:
        st.caption(escape_markdown(why))


map_page()
