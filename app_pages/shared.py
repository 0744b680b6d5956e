"""What every page of the explorer shares: the loaded data, caching and downloads.

``app.py`` builds a :class:`Context` from the sidebar once per run and keeps it
in ``st.session_state``; pages read it with :func:`context`. Estimates are
cached on the settings that define them, so a widget change recomputes only
what it changes. Numbers come from :mod:`listening`.

Uploaded data never leaves its session: the parsed upload and every result
computed from it live in ``st.session_state`` only (:func:`uploaded_source`,
:func:`sample_cached`), so they go when the session ends; nothing is written
to disk. Only the bundled synthetic sample and its results sit in
process-wide caches.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import html
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

import listening as yl
from app_pages.file_exports import (
    briefing_bytes,
    chart_png,
    png_export_available,
    spreadsheet_frame,
)
from app_pages.settings import MIN_BASE
from listening.explorer.access import AccessList
from listening.explorer.cross import publish_question
from listening.explorer.escape import escape_markdown
from listening.explorer.estimates import adjusted_margins, adjustment_columns, answer_totals
from listening.explorer.publication import (
    Publication,
    protected_view,
    published_headlines,
    refusal,
)
from listening.explorer.sources import (
    Designs,
    crosstab_csv,
    designs,
    district_boundaries,
)
from listening.explorer.took_part import (
    composition_display,
    composition_variables,
    pooled_weights,
    publish_took_part,
)
from listening.explorer.views import (
    BREAKDOWNS,
    HEADLINES,
    composition,
    filter_mask,
    headline_comparison,
    headline_estimates,
)

CONTEXT_KEY = "explorer_context"
SAMPLE_KEY = "bundled-sample"
UPLOAD_KEY = "explorer_upload"
"""Session-state key of this session's upload: ``(digest, Source or error message)``."""
RESULTS_KEY = "explorer_upload_results"
"""Session-state key of the results computed from this session's upload."""


@dataclass(frozen=True)
class Source:
    """A loaded data source: the survey, its designs and what the pages need."""

    key: str
    label: str
    survey: Any
    codebook: Any
    margins: list[pd.DataFrame] | None
    targets: list[pd.DataFrame] | None
    unweighted: Any
    raked: Any | None
    weighting_note: str
    geojson: dict | None
    lonely_psu: str = "fail"

    def design(self, weighted: bool) -> Any:
        """The raked design when weighted (and raking worked), else equal weights."""
        return self.raked if weighted and self.raked is not None else self.unweighted

    def as_designs(self) -> Designs:
        """The source's designs as :func:`~listening.explorer.sources.designs` gives them."""
        notes = (self.weighting_note,)
        return Designs(self.margins, self.unweighted, self.raked, notes, self.lonely_psu)


@dataclass(frozen=True)
class Context:
    """The current data source and sidebar settings."""

    source: Source
    min_base: int
    ci: str
    problems: list[str] = field(default_factory=list)


def context() -> Context:
    """The context ``app.py`` prepared for this run."""
    return st.session_state[CONTEXT_KEY]


OPEN, SIGNED_OUT, REFUSED, ALLOWED = "open", "signed out", "refused", "allowed"


def access() -> str:
    """Who may see the figures: :data:`OPEN` (sign-in is off: ``make app`` on localhost),
    :data:`SIGNED_OUT`, :data:`REFUSED` (signed in, not on the ``[access]`` list, or the
    list is broken) or :data:`ALLOWED`. ``app.py``'s sign-in gate and
    :func:`still_allowed` decide on it."""
    if not (st.secrets.load_if_toml_exists() and "auth" in st.secrets):
        return OPEN
    if not st.user.is_logged_in:
        return SIGNED_OUT
    try:
        allowed = AccessList.from_config(st.secrets.get("access"))
    except yl.ListeningError:
        return REFUSED
    verified = st.user.get("email_verified")
    return ALLOWED if allowed.allows(st.user.get("email"), verified=verified) else REFUSED


def still_allowed() -> bool:
    """Whether sign-in is off, or the visitor is still signed in and on the ``[access]``
    list (:func:`access`), for :func:`page_fragment`'s reruns, which do not pass through
    ``app.py``'s sign-in gate."""
    return access() in (OPEN, ALLOWED)


def page_fragment(body: Callable[[], None]) -> Callable[[], None]:
    """Part of a page (Explore's and the Map's body below the title, Who took part's tabs) as
    a Streamlit fragment: a widget change in it reruns only ``body``, not ``app.py`` (sidebar,
    navigation) nor the rest of the page, so the browser is sent and redraws fewer elements
    (on Explore and the Map about a fifth fewer; ``benchmarks/browser.py``). The sidebar and
    the navigation still rerun the whole app. A rerun of the fragment first checks
    :func:`still_allowed` and, when not, reruns the whole app (its sign-in gate)."""

    @functools.wraps(body)
    def checked() -> None:
        if not still_allowed():
            st.rerun(scope="app")
        body()

    return st.fragment(checked)


def digest(*parts: bytes | None) -> str:
    """A key for cached data: SHA-256 over the uploaded files' bytes."""
    sha = hashlib.sha256()
    for part in parts:
        sha.update(b"\x00" if part is None else hashlib.sha256(part).digest())
    return sha.hexdigest()[:32]


def _finish(key: str, label: str, survey: Any, targets: list[pd.DataFrame] | None) -> Source:
    """Designs for a survey; ``targets`` are the published margins (raked with the
    sample-sized "Not known" sex class added, published without it)."""
    built = designs(survey, targets)
    return Source(
        key=key,
        label=label,
        survey=survey,
        codebook=survey.codebook,
        margins=built.margins,
        targets=targets,
        unweighted=built.unweighted,
        raked=built.raked,
        weighting_note=" ".join(built.notes),
        geojson=district_boundaries(),
        lonely_psu=built.lonely_psu,
    )


@st.cache_resource(max_entries=4, show_spinner="Loading the bundled sample...")
def load_sample_source() -> Source:
    """The bundled synthetic sample, validated and raked once per process."""
    survey = yl.load_sample()
    return _finish(SAMPLE_KEY, "Bundled synthetic sample", survey, yl.load_margins())


def uploaded_source(
    key: str,
    survey_name: str,
    survey: bytes,
    codebook: bytes,
    margins_name: str | None,
    margins: bytes | None,
    *,
    codebook_name: str = "codebook.yaml",
) -> Source:
    """An uploaded survey with its codebook (and margins), kept in this session only.

    Read once per upload (``key`` is the bytes' digest) and held in
    ``st.session_state``, never in a process-wide cache, so it goes with the
    session. A new upload replaces the previous one and its results.

    Raises ListeningError subclasses from ingest, the codebook or the margins
    (remembered too, so a bad file is not read again on every rerun).
    """
    held = st.session_state.get(UPLOAD_KEY)
    if held is None or held[0] != key:
        st.session_state.pop(RESULTS_KEY, None)
        st.session_state.pop(UPLOAD_KEY, None)
        with st.spinner("Reading and checking your files..."):
            try:
                loaded: Source | str = _read_upload(
                    key, survey_name, survey, codebook, margins_name, margins, codebook_name
                )
            except yl.ListeningError as err:
                loaded = str(err)
        held = (key, loaded)
        st.session_state[UPLOAD_KEY] = held
    if isinstance(held[1], str):
        raise yl.ListeningError(held[1])
    return held[1]


def _read_upload(
    key: str,
    survey_name: str,
    survey: bytes,
    codebook: bytes,
    margins_name: str | None,
    margins: bytes | None,
    codebook_name: str,
) -> Source:
    """Parse the uploaded bytes in memory (upload limits), never writing them to disk."""
    book = yl.load_codebook(codebook, name=codebook_name)
    read = yl.read_survey(survey, book, limits=yl.UPLOAD_LIMITS, name=survey_name)
    targets = None
    if margins is not None:
        targets = yl.read_margins(margins, codebook=book, name=margins_name or "margins.csv")
    return _finish(key, f"Uploaded: {survey_name}", read, targets)


def sample_cached(
    cache: Any, *, max_entries: int, spinner: str | None = None
) -> Callable[[Callable], Callable]:
    """Cache a function of ``(source_key, *settings)`` without letting uploads out.

    Results for the bundled sample go in the process-wide ``cache``
    (``st.cache_resource`` or ``st.cache_data``); results for an upload go in
    this session's ``st.session_state`` only (at most ``max_entries``, oldest
    dropped first), so they end with the session. ``spinner``: what the page
    says while a result is computed (nothing by default).
    """

    def wrap(compute: Callable) -> Callable:
        shared_cache = cache(max_entries=max_entries, show_spinner=spinner or False)(compute)
        copies = cache is st.cache_data

        @functools.wraps(compute)
        def run(source_key: str, *settings: Any) -> Any:
            if source_key == SAMPLE_KEY:
                return shared_cache(source_key, *settings)
            store = st.session_state.setdefault(RESULTS_KEY, {})
            name = (compute.__name__, source_key, settings)
            if name not in store:
                while len(store) >= max_entries:
                    store.pop(next(iter(store)))
                with st.spinner(spinner) if spinner else contextlib.nullcontext():
                    store[name] = compute(source_key, *settings)
            result = store[name]
            return result.copy() if copies and isinstance(result, pd.DataFrame) else result

        return run

    return wrap


MADE_AHEAD: dict[tuple[str, int], Publication] = {}
"""The bundled sample's publications made ahead by another process, by (question, minimum
base): :mod:`app_pages.likely_bases`'s worker, through this same function."""


@sample_cached(
    st.cache_resource,
    max_entries=128,
    spinner="Protecting this question's tables: the first time at a minimum base takes "
    "a few seconds...",
)
def publication(source_key: str, question: str, min_base: int) -> Publication:
    """The data source's publication of ``question`` (every breakdown and pair, protected
    together once; see :mod:`listening.explorer.publication`), protected together with
    :func:`took_part` at the same minimum base (:mod:`listening.explorer.cross`); the
    sample's from :data:`MADE_AHEAD` when made there.

    Above the sidebar's lowest minimum base (:data:`app_pages.settings.MIN_BASE`), it
    hides everything the publication at that base hides too (its ``floor``): a visitor
    can show a question at both, and protected apart the two could hide different sides
    of a small group."""
    if source_key == SAMPLE_KEY and (question, min_base) in MADE_AHEAD:
        return MADE_AHEAD[(question, min_base)]
    source = _source(source_key)
    columns = [c for c in BREAKDOWNS.values() if c in source.survey.data]
    everyone = took_part(source_key, took_part_variables(source), min_base)
    return publish_question(
        source.unweighted,
        question,
        columns=columns,
        min_base=min_base,
        took_part=everyone,
        codebook=source.codebook,
        floor=publication(source_key, question, MIN_BASE) if min_base > MIN_BASE else None,
    )


@sample_cached(st.cache_resource, max_entries=256)
def crosstab(
    source_key: str,
    weighted: bool,
    question: str,
    by: tuple[str, ...],
    filters: tuple[tuple[str, tuple[str, ...]], ...],
    min_base: int,
    ci: str,
    level: float,
) -> Any:
    """``yl.crosstab`` on the (filtered) design with the publication's hidden pattern, cached.

    ``by`` empty means the whole population only: the table is made by
    district and only its "All" rows are kept. Every group follows
    :func:`publication` (:func:`~listening.explorer.publication.protected_view`),
    so each page shows the same ``[c]`` for the same question, breakdown and
    minimum base, and filters cannot be differenced.

    Raises ``yl.ListeningError`` for a view the publication cannot cover
    (:func:`~listening.explorer.publication.refusal`).
    """
    source = _source(source_key)
    whole = not by
    columns = (source.codebook.district_column,) if whole else by
    chosen = {column: values for column, values in filters if values}
    message = refusal(by, chosen)
    if message:
        raise yl.ListeningError(message)
    pub = publication(source_key, question, min_base)
    design = domain_design(source, weighted, filters)
    tab = yl.crosstab(
        design,
        question,
        by=list(columns),
        min_base=0,
        ci=ci,
        level=level,
        codebook=source.codebook,
        source=source.label,
    )
    tab = protected_view(tab, pub, chosen)
    if whole:
        table = tab.table[tab.table[columns[0]].astype(str) == "All"].reset_index(drop=True)
        tab = dataclasses.replace(tab, table=table, test=None)
    return tab


def view(source_key: str, build: Callable[..., Any], *args: Any, **options: Any) -> Any:
    """``build(*args, **options)``: a chart or a displayed table, made once per input for the
    bundled sample.

    A rerun (any widget change) would otherwise draw every figure and format every
    table again, tens of milliseconds each. ``build`` must be a pure function of its
    arguments; the result is shared, so it must not be changed. Pass small arguments
    (a crosstab's settings, not its table): every call hashes them, and hashing a
    frame takes 5-10 ms (see ``app_pages/explore.py``). Views of an upload are
    built every run and never cached (nothing of an upload in process-wide caches).
    """
    if source_key != SAMPLE_KEY:
        return build(*args, **options)
    name = f"{build.__module__}.{getattr(build, '__qualname__', repr(build))}"
    return _sample_view(name, build, args, tuple(sorted(options.items())))


def headline_chart(county: pd.DataFrame) -> go.Figure:
    """The Overview's chart of :func:`headlines`, labelled with the cards' short names (a
    phone keeps its width for the dots)."""
    table = county.assign(
        group=county["short"].where(county["short"].astype(bool), county["indicator"]),
        category="Yes",
    )
    fig = yl.charts.interval_plot(table, by="group", category="Yes", title="Headline indicators")
    fig.update_layout(xaxis_title_text="% who answered yes", xaxis_range=[0, 100], xaxis_dtick=25)
    return fig


def district_map(table: pd.DataFrame, **options: Any) -> go.Figure:
    """``yl.maps.district_map`` on the bundled district boundaries (every source's)."""
    return yl.maps.district_map(table, load_sample_source().geojson, **options)


@st.cache_resource(max_entries=512, show_spinner=False)
def _sample_view(name: str, _build: Callable[..., Any], args: tuple, options: tuple) -> Any:
    return _build(*args, **dict(options))


def domain_design(
    source: Source, weighted: bool, filters: tuple[tuple[str, tuple[str, ...]], ...]
) -> Any:
    """The design restricted to the filter as a domain (R's ``subset()``).

    Respondents outside the filter keep their place in the design (strata,
    clusters, raking), so standard errors stay design-based; they are only
    outside every estimate, "All" included.
    """
    design = source.design(weighted)
    chosen = {column: values for column, values in filters if values}
    if not chosen:
        return design
    return design.subset(filter_mask(design.data, chosen))


def _source(key: str) -> Source:
    if key == SAMPLE_KEY:  # process-wide, so the warm-up thread can use it too
        return load_sample_source()
    current = st.session_state.get(CONTEXT_KEY)
    if current is None or current.source.key != key:
        raise KeyError(f"data source {key} is not loaded")
    return current.source


def safe_name(text: str) -> str:
    """A file-name fragment from a title."""
    return re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_").lower()[:60] or "table"


def question_box(container: Any, choices: Mapping[str, str], *, key: str) -> str:
    """The page's "Question" select in ``container`` (``st`` or a column): ``choices`` maps
    each question's name to its wording; the first is "after dark" where offered."""
    names = list(choices)
    return container.selectbox(
        "Question",
        names,
        index=names.index("safe_dark") if "safe_dark" in names else 0,
        format_func=choices.get,
        key=key,
    )


def download_table(
    shown: pd.DataFrame,
    name: str,
    *,
    crosstab: Any | None = None,
    tables: Callable[[], Sequence[Any]] | None = None,
    key: str,
) -> None:
    """CSV and Excel downloads of a table as displayed (suppressed cells are ``[c]``).

    With a ``crosstab`` the Excel file is a briefing workbook (cover, contents,
    notes, figures stored as numbers) from the writer of ``yl.write_briefing``,
    and the CSV is the crosstab's own export; both are made on click. With
    ``tables`` (a function giving the crosstabs behind the displayed table,
    which can take seconds the first time) a button makes the briefing in this
    run, then offers it. Otherwise both files come from the displayed table,
    the Excel file with its figures stored as numbers (:func:`spreadsheet_frame`).
    """
    left, right = st.columns(2)
    targets = context().source.targets
    file_name = f"{safe_name(name)}.xlsx"
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    left.download_button(
        "Download table (CSV)",
        data=(lambda: crosstab_csv(crosstab))
        if crosstab is not None
        else lambda: yl.csv_bytes(shown),
        file_name=f"{safe_name(name)}.csv",
        mime="text/csv",
        key=f"{key}-csv",
        on_click="ignore",
    )
    briefing_help = "A briefing workbook: cover, contents, notes and the full tables, figures "
    briefing_help += "stored as numbers, [c] where a figure is hidden."
    if crosstab is not None:
        right.download_button(
            "Download briefing (Excel)",
            data=lambda: briefing_bytes([crosstab], targets),
            file_name=file_name,
            mime=xlsx,
            key=f"{key}-xlsx",
            on_click="ignore",
            help=briefing_help,
        )
    elif tables is not None:
        # Made in the script's run, not on a later click: the tables come from this
        # session's caches (an upload's live in its session state only).
        if right.button("Make the briefing (Excel)", key=f"{key}-make", help=briefing_help):
            with st.spinner("Making the briefing workbook..."):
                workbook = briefing_bytes(tables(), targets)
            right.download_button(
                "Download briefing (Excel)",
                data=workbook,
                file_name=file_name,
                mime=xlsx,
                key=f"{key}-xlsx",
                on_click="ignore",
                help=briefing_help,
            )
    else:
        right.download_button(
            "Download table (Excel)",
            data=lambda: yl.xlsx_bytes({safe_name(name)[:31]: spreadsheet_frame(shown)}),
            file_name=file_name,
            mime=xlsx,
            key=f"{key}-xlsx",
            on_click="ignore",
            help="The table as shown, figures stored as numbers; [c] where a figure is hidden.",
        )


def download_chart(fig: go.Figure, name: str, *, key: str) -> None:
    """HTML (interactive, self-contained) and PNG downloads of a chart.

    The PNG is made on click by kaleido with the system Chromium; if that
    cannot run, the chart's own toolbar ("Download plot as png") still works.
    Both files carry the title and a footnote of source, date and minimum base.
    """
    # The footnoted copy is made on click only: copying a figure costs tens of ms a run.
    label, min_base = context().source.label, context().min_base

    def exported() -> go.Figure:
        return yl.charts.with_footnote(fig, source=label, min_base=min_base)

    left, right = st.columns(2)
    left.download_button(
        "Download chart (HTML)",
        data=lambda: exported().to_html(include_plotlyjs=True, full_html=True).encode("utf-8"),
        file_name=f"{safe_name(name)}.html",
        mime="text/html",
        key=f"{key}-html",
        on_click="ignore",
    )
    ready = png_export_available()
    right.download_button(
        "Download chart (PNG)",
        data=(lambda: chart_png(exported())) if ready else b"",
        file_name=f"{safe_name(name)}.png",
        mime="image/png",
        key=f"{key}-png",
        on_click="ignore",
        disabled=not ready,
        help="Made with kaleido and Chromium; the camera icon on the chart also saves a PNG."
        if ready
        else "PNG export needs the kaleido package and Chrome or Chromium on this machine; "
        "use the camera icon on the chart instead.",
    )


def show_chart(fig: go.Figure, *, key: str, table: str | None = None) -> None:
    """A chart with its toolbar (PNG download), a description for screen readers, and a
    caption naming the table (``table``, shown with :func:`show_table`) with its figures."""
    title = html.unescape(yl.charts.description(fig) or "Chart")  # alt text is plain text
    where = f"the table '{table}' below" if table else "the table with it"
    st.plotly_chart(
        fig,
        key=key,
        config={"displaylogo": False, "toImageButtonOptions": {"format": "png", "scale": 2}},
        alt=f"{title} The figures of this chart are in {where}.",
    )
    if table:
        st.caption(f"The figures of this chart are in the table '{escape_markdown(table)}' below.")


CHAR_PX = 6.8
"""Width of an average character of a table cell in pixels (Source Sans, 14 px)."""
MAX_COLUMN_PX = 330


PHONE_PX = 358
"""Width of the main area on a phone (390 px), where a wider table scrolls sideways."""


def show_table(frame: pd.DataFrame, *, key: str, label: str, first: Sequence[str] = ()) -> None:
    """A table under its label (the name a chart's caption gives it), each column as wide
    as its longest entry, so that at a desktop width none is cut off or hidden.

    ``first``: columns to show before the others (after the first column), for a table
    too wide for the page: what matters most is then in view before any scrolling.

    A table wider than a phone scrolls sideways inside its frame there (the page does
    not), and its label says so on narrow screens only (``.yl-narrow`` in ``app.py``).
    No column is pinned: Streamlit draws a pinned column's text faded, below contrast.
    """
    # Read row by row as Python objects: a column's astype(str) took ~0.4 ms, 3-4 ms a table.
    rows = frame.to_numpy(dtype=object).tolist()
    cells = zip(*rows, strict=True) if rows else [()] * frame.shape[1]
    widths = {
        column: int(
            min(
                MAX_COLUMN_PX,
                16 + CHAR_PX * max([len(str(column)) + 1, *map(len, map(str, values))]),
            )
        )
        for column, values in zip(frame.columns, cells, strict=True)
    }
    hint = (
        '<span class="yl-narrow"> (swipe the table sideways to see every column)</span>'
        if sum(widths.values()) > PHONE_PX
        else ""
    )
    st.markdown(f"**Table: {escape_markdown(label)}**{hint}", unsafe_allow_html=True)
    st.dataframe(
        frame,
        hide_index=True,
        key=key,
        column_config={c: st.column_config.Column(width=w) for c, w in widths.items()},
        column_order=list(
            dict.fromkeys([frame.columns[0], *(c for c in first if c in frame), *frame.columns])
        )
        if first
        else None,
        width="content",
        alt=f"Table: {label}",
    )


def filters_key(filters: Mapping[str, Sequence[str]]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Filters as a hashable, order-free cache key."""
    return tuple(sorted((k, tuple(sorted(map(str, v)))) for k, v in filters.items() if v))


@sample_cached(st.cache_data, max_entries=64)
def headlines(source_key: str, weighted: bool, ci: str, min_base: int) -> pd.DataFrame:
    """County headline indicators (cached on the source and settings).

    An indicator is hidden when fewer than ``min_base`` answered its question;
    its publication (:func:`publication`) is not consulted, to keep the first
    page fast: protection hides "All" only below the threshold (checked on the
    sample in ``tests/test_explorer_disclosure.py``).
    """
    design = _source(source_key).design(weighted)
    county = headline_estimates(design, ci=ci, min_base=min_base)
    return county.assign(reason=county["suppressed"].map({True: "threshold", False: ""}))


@sample_cached(st.cache_data, max_entries=256)
def comparison(
    source_key: str, weighted: bool, by: str, group: str, ci: str, min_base: int
) -> pd.DataFrame:
    """Headline indicators for one group against the rest (cached), each hidden where its
    question's publication hides the group (the Map and Explore hide it too)."""
    design = _source(source_key).design(weighted)
    compared = headline_comparison(design, by, group, ci=ci, min_base=min_base)
    questions = {h.label: h.question for h in HEADLINES}
    pubs = [publication(source_key, questions[i], min_base) for i in compared["indicator"]]
    return published_headlines(compared, pubs, by=by, group=group)


@sample_cached(st.cache_data, max_entries=128)
def totals(
    source_key: str,
    weighted: bool,
    question: str,
    by: tuple[str, ...],
    filters: tuple[tuple[str, tuple[str, ...]], ...],
    settings: tuple[int, str, float],
    answer: str,
) -> pd.DataFrame:
    """How many young people gave ``answer`` in each group of :func:`crosstab` (cached).

    ``settings`` are the crosstab's ``(min_base, ci, level)``.
    """
    source = _source(source_key)
    tab = crosstab(source_key, weighted, question, by, filters, *settings)
    design = domain_design(source, weighted, filters)
    return answer_totals(design, tab, source.codebook.question(question), answer, level=settings[2])


@sample_cached(st.cache_data, max_entries=64)
def adjusted(
    source_key: str,
    weighted: bool,
    question: str,
    by: tuple[str, ...],
    filters: tuple[tuple[str, tuple[str, ...]], ...],
    settings: tuple[int, str, float],
    answer: str,
) -> pd.DataFrame:
    """District figures of :func:`crosstab` adjusted for age and sex (cached)."""
    source = _source(source_key)
    tab = crosstab(source_key, weighted, question, by, filters, *settings)
    design = domain_design(source, weighted, filters)
    return adjusted_margins(
        design,
        tab,
        source.codebook.question(question),
        answer,
        adjust_for=adjustment_columns(source.codebook, design.data),
        level=settings[2],
        min_base=settings[0],
    )


def took_part_variables(source: Source) -> tuple[str, ...]:
    """The columns *Who took part* counts (:func:`took_part`'s ``variables``, as its page and
    :func:`publication` pass them, so both share one cached publication)."""
    present = composition_variables(source.codebook, source.survey.data)
    return tuple(column for _, column in present)


def weighting_cells(source: Source) -> list[list[str]]:
    """The weighting margins' columns (the raking fit's cells); none when not raked."""
    margins = source.margins if source.raked is not None else None
    return [[c for c in m.columns if c != "population"] for m in margins or []]


@sample_cached(st.cache_resource, max_entries=16)
def took_part(source_key: str, variables: tuple[str, ...], min_base: int) -> Publication:
    """The counts of everyone who took part (by each variable and weighting cell), protected
    together once per data source and minimum base.

    Above the lowest minimum base it hides what that base's hides too, as
    :func:`publication` does.

    Defined here, not in its page: a cached function made in a page would keep that
    page's globals (an upload's data among them) alive after the session.
    """
    held = _source(source_key)
    return publish_took_part(
        held.survey.data,
        variables,
        weighting_cells(held),
        min_base=min_base,
        codebook=held.codebook,
        floor=took_part(source_key, variables, MIN_BASE) if min_base > MIN_BASE else None,
    )


@sample_cached(st.cache_resource, max_entries=32)
def composition_view(
    source_key: str, column: str, label: str, variables: tuple[str, ...], min_base: int
) -> tuple[pd.DataFrame, go.Figure]:
    """Who took part by ``column``: the table as shown (respondent counts protected by
    :func:`took_part`) and its chart, made once per source, variable and minimum base."""
    held = _source(source_key)
    weights = held.raked.weights if held.raked is not None else None
    frame = composition(held.survey.data, weights, held.margins, column)
    shown = composition_display(frame, column, label, took_part(source_key, variables, min_base))
    chart_frame = frame.copy()
    chart_frame.loc[shown["suppressed"].to_numpy(), ["sample", "weighted"]] = float("nan")
    title = f"{label}: sample against population"
    return shown, yl.charts.sample_vs_population(chart_frame, title=title)


@sample_cached(st.cache_resource, max_entries=16)
def weights_chart(source_key: str, min_base: int) -> go.Figure:
    """The histogram of the raked weights, pooled so no bar is a small group (cached)."""
    pooled = pooled_weights(_source(source_key).raked.weights, min_base)
    return yl.charts.weight_histogram(pooled, title="How much each respondent counts")


@sample_cached(st.cache_data, max_entries=64)
def themes(source_key: str, question: str, by: str | None, min_base: int) -> pd.DataFrame:
    """``yl.theme_counts`` of a coded free-text question (cached); above the lowest minimum
    base, hiding what that base's hides too (``floor``), as :func:`publication` does."""
    source = _source(source_key)
    frame = source.codebook.question(question).coding_frame
    floor = themes(source_key, question, by, MIN_BASE) if min_base > MIN_BASE else None
    return yl.theme_counts(
        source.survey.data, question, frame, by=by, min_base=min_base, floor=floor
    )


def percent(value: float) -> str:
    """A share as a whole percentage, or [c] when missing."""
    return "[c]" if pd.isna(value) else f"{value * 100:.0f}%"


def failure(err: Exception) -> str:
    """What to tell the user when estimates cannot be made."""
    if isinstance(err, yl.ListeningError):
        return f"These estimates cannot be made: {err}"
    return (
        f"These estimates cannot be made because of an error in the toolkit "
        f"({type(err).__name__}: {err}). Try other settings, and please report it."
    )
