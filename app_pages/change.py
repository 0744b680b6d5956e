"""Change since the last survey: each headline indicator then against now, and by district.

The later wave is the sidebar's data (the bundled 2025 sample, or an upload);
the earlier wave is the bundled 2024 wave or an upload made on this page.
An uploaded earlier wave, and everything computed from it, is kept in this
session's ``st.session_state`` only, never in a process-wide cache.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

import listening as yl
from app_pages import shared, waves
from app_pages.settings import MIN_BASE
from listening.explorer.change import (
    change_display,
    change_download,
    change_sentences,
    comparable_headlines,
    dumbbell_chart,
    group_changes,
    headline_changes,
    reason_words,
    wave_pair,
)
from listening.explorer.escape import escape_markdown
from listening.explorer.sources import designs
from listening.explorer.views import MAX_UPLOAD_MB, UPLOAD_TYPES, check_upload

# Session-state keys: the earlier wave, (digest, (label, Designs, Harmonisation) or an
# error message), and this session's change figures.
BEFORE_KEY = "change_before_wave"
RESULTS_KEY = "change_results"
BUNDLED = "The bundled 2024 wave"
UPLOAD = "Upload the earlier wave"
MAX_RESULTS = 32

ctx = shared.context()
source = ctx.source

st.title("Change since the last survey")
top = st.container()  # problems go here, above everything else


def _remember(key: tuple, compute: Callable[[], Any]) -> Any:
    """``compute()`` once per key in this session (oldest results dropped first)."""
    store = st.session_state.setdefault(RESULTS_KEY, {})
    if key not in store:
        while len(store) >= MAX_RESULTS:
            store.pop(next(iter(store)))
        store[key] = compute()
    return store[key]


def _hold(key: str, read: Callable[[], tuple]) -> tuple:
    """The earlier wave read once per digest, kept in this session; errors remembered too."""
    held = st.session_state.get(BEFORE_KEY)
    if held is None or held[0] != key:
        st.session_state.pop(RESULTS_KEY, None)
        st.session_state.pop(BEFORE_KEY, None)
        with st.spinner("Reading and checking the earlier wave..."):
            try:
                loaded: tuple | str = read()
            except yl.ListeningError as err:
                loaded = str(err)
        held = (key, loaded)
        st.session_state[BEFORE_KEY] = held
    if isinstance(held[1], str):
        raise yl.ListeningError(held[1])
    return held[1]


def _bundled() -> tuple:
    return waves.earlier_wave()  # read and raked once per process


def _uploaded(problems: list[str]) -> tuple | None:
    st.caption(
        "Upload the earlier wave's survey file with its codebook, and a harmonisation map "
        "if questions or options were renamed (see sample_data/wave2024/harmonise.yaml). "
        f"Files up to {MAX_UPLOAD_MB} MB; they stay in this session's memory only. The "
        "earlier wave is weighted to the same population margins as the later one."
    )
    left, middle, right = st.columns(3)
    data = left.file_uploader(
        "Earlier wave's survey file (csv, xlsx, sav or parquet)",
        type=list(UPLOAD_TYPES["survey"]),
        key="change_upload_survey",
        max_upload_size=MAX_UPLOAD_MB,
    )
    book = middle.file_uploader(
        "Its codebook (yaml)",
        type=list(UPLOAD_TYPES["codebook"]),
        key="change_upload_codebook",
        max_upload_size=MAX_UPLOAD_MB,
    )
    mapping = right.file_uploader(
        "Harmonisation map (yaml, optional)",
        type=list(UPLOAD_TYPES["codebook"]),
        key="change_upload_harmonise",
        max_upload_size=MAX_UPLOAD_MB,
    )
    if data is None or book is None:
        problems.append("Upload the earlier wave's survey file and its codebook to compare.")
        return None
    try:
        check_upload(data.name, data.size, "survey")
        check_upload(book.name, book.size, "codebook")
        if mapping is not None:
            check_upload(mapping.name, mapping.size, "codebook")
        name = data.name
        survey_bytes, book_bytes = data.getvalue(), book.getvalue()
        mapping_bytes = mapping.getvalue() if mapping is not None else None
        key = shared.digest(survey_bytes, book_bytes, mapping_bytes, source.key.encode())

        def read() -> tuple:
            codebook = yl.load_codebook(book_bytes, name=book.name)
            survey = yl.read_survey(survey_bytes, codebook, limits=yl.UPLOAD_LIMITS, name=name)
            harmonise = (
                yl.read_harmonisation(mapping_bytes)
                if mapping_bytes is not None
                else yl.Harmonisation(before_label="earlier", after_label="later")
            )
            return f"Uploaded: {name}", designs(survey, source.targets), harmonise

        return _hold(key, read)
    except yl.ListeningError as err:
        problems.append(str(err))
        return None


choice = st.radio(
    "Compare with",
    [BUNDLED, UPLOAD],
    horizontal=True,
    key="change_before",
    help="The earlier survey wave. The later wave is the data chosen in the sidebar.",
)
problems: list[str] = []
if choice == UPLOAD:
    before_wave = _uploaded(problems)
elif source.key != shared.SAMPLE_KEY:
    problems.append(
        "The bundled 2024 wave is the wave before the bundled sample, not before your "
        "upload: choose 'Upload the earlier wave' and upload your earlier wave."
    )
    before_wave = None
else:
    before_wave = _hold(f"bundled-2024:{source.key}", _bundled)

if before_wave is None:
    for problem in problems:
        if problem.startswith("Upload the earlier wave's"):
            top.info(problem)
        else:
            top.error(f"The earlier wave cannot be used: {escape_markdown(problem)}")
    st.stop()

before_label, before_designs, harmonise = before_wave
after_designs = source.as_designs()
then, now = harmonise.before_label, harmonise.after_label
settings = (source.key, st.session_state[BEFORE_KEY][0], ctx.min_base, ctx.ci)
# Charts and tables are cached process-wide for the two bundled waves only, never when
# the earlier wave is an upload (see shared.view).
views_key = source.key if choice == BUNDLED else UPLOAD
try:
    if choice == BUNDLED:  # both bundled waves: computed once per process (app_pages/waves.py)
        pair = waves.bundled_pair(after_designs)
        county = waves.county_changes(after_designs, ctx.min_base, ctx.ci)
    else:
        pair = _remember(("pair", *settings), lambda: wave_pair(after_designs, before_designs))
        county = _remember(
            ("county", *settings),
            lambda: headline_changes(pair, harmonise, min_base=ctx.min_base, ci=ctx.ci),
        )
except Exception as err:  # show what went wrong in words, never a traceback
    top.error(escape_markdown(shared.failure(err)))
    st.stop()

st.caption(
    f"{escape_markdown(before_label)} ({escape_markdown(then)}) against "
    f"{escape_markdown(source.label)} ({escape_markdown(now)}). {escape_markdown(pair.note)} "
    "Change is the later percentage minus the earlier one, in percentage points, with its 95% "
    "interval. A change is called significant only when it is significant at 95% after "
    "Holm's adjustment for the many answers and groups of its table; the intervals are not "
    "adjusted, so an interval that misses 0 can still be no significant change."
)

if county.empty:
    st.info(
        "This codebook has none of the headline questions (how safe young people feel by "
        "day, after dark, at school, ...). "
        "Use *Explore a question* for its questions."
    )
    st.stop()

st.header("Headline indicators across the county")
lines = shared.view(views_key, change_sentences, county, then, now)
st.markdown("\n".join(f"- {escape_markdown(line)}" for line in lines))
shown = shared.view(views_key, change_display, county, then, now)
# Ten columns: the two waves' percentages, the change and its significance come first.
IN_VIEW = (f"{then} %", f"{now} %", "Change (points)", "Significance")
shared.show_table(
    shown, key="change-headlines", label=f"Headline indicators, {then} and {now}", first=IN_VIEW
)
shared.download_table(shown, f"headline change since {then}", key="change-headlines")
missing = county[~county["comparable"].astype(bool)]
if not missing.empty:
    with st.expander("Why some indicators are not compared"):
        for row in missing.itertuples(index=False):
            st.markdown(f"- {escape_markdown(row.indicator)}: {escape_markdown(row.note)}")

asked = comparable_headlines(county)
district = source.codebook.district_column
if not asked:
    st.info("No headline indicator was asked in both waves, so there is no change to show.")
    st.stop()

st.header("By district")
headline = st.selectbox(
    "Indicator",
    asked,
    format_func=lambda h: h.label,
    key="change_indicator",
)
try:
    if choice == BUNDLED:
        groups = waves.district_changes(
            after_designs, headline.question, headline.category, district, ctx.min_base, ctx.ci
        )
    else:
        groups = _remember(
            ("groups", headline.question, headline.category, *settings),
            lambda: group_changes(
                pair,
                harmonise,
                headline,
                district,
                min_base=ctx.min_base,
                ci=ctx.ci,
                floor=MIN_BASE,
                hide=waves.published_hides(source.key, headline.question, district, ctx.min_base),
            ),
        )
except Exception as err:  # show what went wrong in words, never a traceback
    top.error(escape_markdown(shared.failure(err)))
    st.stop()

title = f"{headline.short or headline.label}: {then} and {now} by district"
fig = shared.view(views_key, dumbbell_chart, groups, then, now, title=title)
hidden = groups[groups["reason"].astype(bool)]
TABLE = f"{headline.short or headline.label} by district, {then} and {now}"
shared.show_chart(fig, key="change-chart", table=TABLE)
if not hidden.empty:
    st.caption(
        "Not drawn, and left out of the download, to protect small groups: "
        + "; ".join(
            f"{escape_markdown(row.group)} ({escape_markdown(reason_words(row.reason))})"
            for row in hidden.itertuples(index=False)
        )
        + ". A group hidden in either wave is hidden in both, so the two waves together "
        "cannot give it away."
    )
shared.download_chart(fig, title, key="change-chart")
lines = shared.view(views_key, change_sentences, groups, then, now)
st.markdown("\n".join(f"- {escape_markdown(line)}" for line in lines))
table = shared.view(views_key, change_display, groups, then, now, first="District")
shared.show_table(table, key="change-table", label=TABLE, first=IN_VIEW)
st.download_button(
    "Download the table behind the chart (CSV)",
    # made when clicked, not on every rerun (deferred download)
    data=lambda: yl.csv_bytes(shared.view(views_key, change_download, groups, then, now, district)),
    file_name=f"{shared.safe_name(title)}.csv",
    mime="text/csv",
    key="change-download",
    on_click="ignore",
    help="Only published figures: a group hidden in either wave is left out.",
)
