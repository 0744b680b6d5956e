"""What would make you safer: ticked options ranked by group, and free-text themes."""

from __future__ import annotations

import streamlit as st

import listening as yl
from app_pages import shared
from listening.explorer.escape import escape_markdown
from listening.explorer.quotes import (
    consistent_quotes,
    no_quotes_message,
    quote_lines,
    quote_options,
)
from listening.explorer.views import ranked_display, themes_display

APPROVALS_KEY = "approved_quotes"

ctx = shared.context()
source = ctx.source
book = source.codebook

st.title("What would make young people feel safer?")
multi = [q for q in book.of_type("multi") if q.name == "safer_options"] or book.of_type("multi")
texts = [q for q in book.of_type("text") if q.coding_frame]
if not multi and not texts:
    st.info("This codebook has no tick-all-that-apply or coded free-text question.")
    st.stop()

groupings = {"Whole county only": None}
groupings.update(
    {
        label: column
        for label, column in {
            "District": book.district_column,
            "Age band": book.age_band_column,
            "Gender": "gender",
        }.items()
        if column in source.survey.data
    }
)
left, right = st.columns(2)
by_label = left.radio("Compare by", list(groupings), horizontal=True, key="safer_by")
by = groupings[by_label]
weighting = right.radio(  # just "Unweighted" with no margins (not disabled: faint)
    "Estimates",
    ["Weighted", "Unweighted"] if source.raked is not None else ["Unweighted"],
    horizontal=True,
    key="safer_weighting" if source.raked is not None else "safer_unweighted",
)
weighted = weighting == "Weighted" and source.raked is not None

if multi:
    question = multi[0]
    st.header(escape_markdown(question.wording))
    try:
        tab = shared.crosstab(
            source.key,
            weighted,
            question.name,
            (by,) if by else (),
            (),
            ctx.min_base,
            ctx.ci,
            0.95,
        )
    except Exception as err:  # show what went wrong in words, never a traceback
        st.error(escape_markdown(shared.failure(err)))
        st.stop()
    fig = shared.view(
        source.key,
        yl.charts.ranked_options,
        tab.table,
        by=by,
        title="Share choosing each option, with 95% intervals",
    )
    shown = shared.view(source.key, ranked_display, tab.table, by)
    label = "What would make young people safer" + (f", by {by_label.lower()}" if by else "")
    shared.show_chart(fig, key="safer-chart", table=label)
    shared.download_chart(fig, "what would make you safer", key="safer-chart")
    shared.show_table(shown, key="safer-table", label=label)
    shared.download_table(shown, "what would make you safer", crosstab=tab, key="safer-table")
    st.caption(
        "Each percentage is of those who ticked at least one option. [c]: fewer than "
        f"{ctx.min_base} answered in that group, or hidden to protect a small group. "
        "Weighted base: how many young people the answers stand for."
    )

for text in texts:
    st.header(escape_markdown(text.wording))
    counts = shared.themes(source.key, text.name, by, ctx.min_base)
    shown = shared.view(source.key, themes_display, counts)
    fig = shared.view(
        source.key, yl.charts.theme_bars, counts, by=by, title="Themes in the written answers"
    )
    label = "Themes in the written answers" + (f", by {by_label.lower()}" if by else "")
    shared.show_chart(fig, key=f"themes-chart-{text.name}", table=label)
    shared.download_chart(fig, f"themes {text.name}", key=f"themes-chart-{text.name}")
    shared.show_table(shown, key=f"themes-{text.name}", label=label)
    shared.download_table(shown, f"themes {text.name}", key=f"themes-{text.name}")
    st.caption(
        "Themes are coded from keywords in the codebook's coding frame; an answer can mention "
        "several themes. Counts are of respondents (unweighted)."
    )

    st.markdown("**What young people wrote**")
    upload = st.file_uploader(
        "Approved quotes (approvals.csv)",
        type=["csv"],
        key=f"approvals-upload-{text.name}",
        help="Only quotes a reviewer has approved are shown, and only from a theme and "
        f"group with at least {ctx.min_base} answers.",
    )
    if upload is not None:
        try:
            st.session_state[APPROVALS_KEY] = yl.read_approvals(upload.getvalue())
        except yl.ListeningError as err:
            st.error(escape_markdown(shared.failure(err)))
    approvals = st.session_state.get(APPROVALS_KEY)
    published = (
        yl.publishable(
            approvals,
            source.survey.data,
            text.name,
            id_column=book.id_column,
            coding_frame=text.coding_frame,
            by=by,
            min_base=ctx.min_base,
        )
        if approvals is not None
        else None
    )
    if published is not None:  # only themes whose count the table above shows, at min_base
        published = consistent_quotes(published, counts, by, ctx.min_base)
    if published is None or published.empty:
        st.info(no_quotes_message(0 if approvals is None else len(approvals), ctx.min_base))
    else:
        groups, themes = quote_options(published)
        left, right = st.columns(2)
        group = left.selectbox("From which group", groups, key=f"quotes-group-{text.name}")
        theme = right.selectbox("About which theme", themes, key=f"quotes-theme-{text.name}")
        lines = quote_lines(published, group, theme)
        if not lines:
            st.info("No approved quotes about this theme from this group.")
        for quote in lines:
            st.container(border=True).text(quote)
        st.caption("Quotes approved by a reviewer; spelling is the young people's.")
