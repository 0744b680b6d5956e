"""Who took part: sample against population, weighting diagnostics, the ingest report."""

from __future__ import annotations

import streamlit as st

from app_pages import shared
from listening.explorer.escape import escape_markdown
from listening.explorer.took_part import (
    composition_variables,
    margin_fit_display,
    weight_summary,
)


def _figure(value: float, decimals: int) -> str:
    """A diagnostic as shown: thousands separated, [c] when it cannot be shown."""
    return "[c]" if value != value else f"{value:,.{decimals}f}"


ctx = shared.context()
source = ctx.source
book = source.codebook
data = source.survey.data


st.title("Who took part")
st.caption(
    "How the young people who answered compare with all young people aged 11-18 in each "
    "district (ONS mid-year estimates and Census 2021), and how weighting closes the gap."
)

st.header("Sample and population")
present = composition_variables(book, data)
published = shared.took_part(source.key, tuple(column for _, column in present), ctx.min_base)


@shared.page_fragment
def composition_tabs() -> None:
    """The tabs of sample against population: choosing a tab reruns only them."""
    # Every tab's table is sent (downloads and screen readers have them all); only the open
    # tab's chart is drawn: the browser draws the hidden tabs' charts too, ~100 ms a switch.
    tabs = st.tabs([label for label, _ in present], on_change="rerun", key="took_part_tab")
    for tab, (label, column) in zip(tabs, present, strict=True):
        with tab:
            shown, fig = shared.composition_view(
                source.key, column, label, tuple(c for _, c in present), ctx.min_base
            )
            name = f"{label}: sample against population"
            if tab.open:
                shared.show_chart(fig, key=f"composition-{column}", table=name)
                shared.download_chart(fig, f"sample vs population {label}", key=f"comp-{column}")
            shared.show_table(shown.drop(columns="suppressed"), key=f"comp-{column}", label=name)
            shared.download_table(
                shown.drop(columns="suppressed"),
                f"sample vs population {label}",
                key=f"comp-table-{column}",
            )


composition_tabs()
if "Not known" in set(data.get(book.weighting.get("sex_column", "sex"), [])):
    st.caption(
        "Sex is derived from gender for weighting: young people who describe their gender "
        "another way or prefer not to say form a 'Not known' class, given the whole survey's "
        "share of them in every district that has any."
    )

st.header("Weighting")
if source.raked is None:
    st.info(escape_markdown(source.weighting_note))
else:
    diagnostics = source.raked.diagnostics()
    weights = weight_summary(source.raked.weights, ctx.min_base)  # pooled, as the histogram
    cards = st.columns(4)
    cards[0].metric("Respondents", f"{diagnostics.n:,}", border=True)
    cards[1].metric(
        "Design effect (Kish)",
        f"{diagnostics.deff:.2f}",
        border=True,
        help="1 + the squared coefficient of variation of the weights: how much weighting "
        "widens intervals compared with equal weights.",
    )
    cards[2].metric(
        "Effective sample size",
        f"{diagnostics.effective_n:,.0f}",
        border=True,
        help="The number of equally weighted respondents that would give the same precision.",
    )
    cards[3].metric(
        "Weights (min / median / max)",
        " / ".join(_figure(weights[k], 0) for k in weights),
        border=True,
        help=f"Of the pooled weights the histogram shows (each the median of {ctx.min_base} "
        "or more respondents' weights): the largest raw weight would count a weighting cell.",
    )
    fig = shared.weights_chart(source.key, ctx.min_base)
    labels = {
        "respondents": "Respondents",
        "sum_weights": "Sum of weights (population)",
        "kish_deff": "Kish design effect (1 + cv²)",
        "effective_n": "Effective sample size",
        "cv_weights": "Coefficient of variation of weights",
        "min_weight": "Smallest weight",
        "median_weight": "Median weight",
        "max_weight": "Largest weight",
        "raking_sweeps": "Raking sweeps",
    }
    decimals = {"kish_deff": 2, "cv_weights": 2}  # weights to 1 decimal, counts whole
    decimals.update(dict.fromkeys(("min_weight", "median_weight", "max_weight"), 1))
    table = diagnostics.to_frame()
    table["value"] = [  # the pooled weights replace the raw ones, even when NaN
        weights.get(k, v) for k, v in zip(table["statistic"], table["value"], strict=True)
    ]
    table = table.assign(
        value=[
            _figure(v, decimals.get(k, 0))
            for k, v in zip(table["statistic"], table["value"], strict=True)
        ],
        statistic=table["statistic"].map(labels).fillna(table["statistic"]),
    ).rename(columns={"statistic": "Measure", "value": "Value"})
    shared.show_chart(fig, key="weights-chart", table="Weighting diagnostics")
    shared.download_chart(fig, "weight distribution", key="weights-chart")
    shared.show_table(table, key="diagnostics-table", label="Weighting diagnostics")
    st.caption(
        "A weight is how many young people in the population a respondent stands for. Kish "
        "design effect: how much the weighting widens intervals (1 is no widening); the "
        "coefficient of variation says how much the weights differ, relative to their "
        "average. Effective sample size: the number of equally weighted answers that would "
        "be as precise. Raking sweeps: how many rounds of adjusting the weights to each "
        "population total in turn it took to match them all. The histogram shows each "
        f"respondent at the median weight of the {ctx.min_base} or more with the nearest "
        "weights: respondents of one weighting cell share a weight, so no bar may count fewer."
    )
    shared.download_table(table, "weighting diagnostics", key="diagnostics-table")
    if diagnostics.margins is not None:
        with st.expander("Raking fit in every margin cell"):
            fit = margin_fit_display(diagnostics.margins, shared.weighting_cells(source), published)
            shared.show_table(fit, key="margins-table", label="Raking fit")
            st.caption(
                "Respondents in each weighting cell and how closely the weighted total meets "
                "its target (a gap near 0 means the raking converged). Totals are not "
                "shown: the 'Not known' sex targets come from the sample's small counts."
            )
            shared.download_table(fit, "raking fit", key="margins-table")

st.header("Checking the file")
report = source.survey.report()
frames = report.to_frames()
st.markdown(
    f"**{report.n_read:,}** rows read, **{report.n_kept:,}** kept, "
    f"**{report.n_rejected:,}** rejected. Rejected rows are counted by reason here; the rows "
    "themselves never leave the explorer."
)
left = right = st.container()  # one below the other: the tables keep the page's width
with left:
    st.markdown("**Rejected rows by reason** (a row can break more than one rule)")
    reasons = frames["reasons"].rename(columns={"rule": "Rule", "column": "Column", "rows": "Rows"})
    if reasons.empty:
        st.success("No rows were rejected.")
    else:
        shared.show_table(reasons, key="reasons-table", label="Rejected rows by reason")
        shared.download_table(reasons, "rejected rows by reason", key="reasons-table")
with right:
    st.markdown("**Answers missing or declined, among kept respondents**")
    nonresponse = frames["nonresponse"]
    # Codes a question does not have are blank: such columns are text throughout.
    gappy = [c for c in nonresponse.columns if nonresponse[c].isna().any()]
    nonresponse = nonresponse.astype({c: "string" for c in gappy}).fillna({c: "" for c in gappy})
    counts = nonresponse.select_dtypes("number").columns  # 1,718, not 1718
    nonresponse[counts] = nonresponse[counts].map(lambda n: f"{int(n):,}")
    nonresponse = nonresponse.assign(  # the question's wording, never its column name
        question=[
            book.question(q).wording if q in book.questions else q for q in nonresponse["question"]
        ],
        in_file=nonresponse["in_file"].map({True: "Yes", False: "No"}),
    ).rename(columns={"in_file": "In the file"})
    nonresponse = nonresponse.rename(
        columns={c: c.replace("_", " ").capitalize() for c in nonresponse.columns}
    )
    shared.show_table(nonresponse, key="nonresponse-table", label="Answers missing or declined")
    shared.download_table(nonresponse, "item nonresponse", key="nonresponse-table")
if len(frames["extra_columns"]):
    st.caption(
        "Columns in the file that the codebook does not describe (kept aside, not analysed): "
        + escape_markdown(", ".join(frames["extra_columns"]["column"].astype(str)))
    )
