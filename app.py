"""The Youth Listening explorer: `streamlit run app.py`.

A thin app over `listening`: this script holds the sign-in gate, the
navigation and the shared sidebar (data source, minimum base, interval
method); the pages in ``app_pages/`` hold widgets and layout; every number
comes from the library.

With an ``[auth]`` section in ``.streamlit/secrets.toml`` (``make serve``,
see docs/deploy.md) nothing is computed until the visitor has signed in with
OpenID Connect and is on the ``[access]`` allow-list; without one (``make
app`` on localhost) the explorer opens directly.
"""

from __future__ import annotations

import streamlit as st

import listening as yl
from app_pages import shared, warm_up
from app_pages.likely_bases import warm_likely_bases
from app_pages.settings import INTERVALS, MIN_BASE, MIN_BASES
from listening.explorer.escape import escape_markdown
from listening.explorer.views import MAX_UPLOAD_MB, UPLOAD_TYPES, check_upload

st.set_page_config(page_title="Youth Listening explorer", layout="wide")


def sign_in_gate() -> None:
    """Stop the run unless sign-in is off or the visitor is signed in and allowed.

    Runs before anything reads or computes survey data, so a visitor who is
    not signed in, or not on the allow-list, is sent no survey figure at all.
    """
    state = shared.access()
    if state == shared.OPEN:
        return  # localhost without sign-in (make app)
    if state == shared.SIGNED_OUT:
        st.title("Youth Listening explorer")
        st.write(
            "The explorer shows confidential survey results. Sign in with your work "
            "account to continue."
        )
        st.button("Sign in", on_click=st.login, type="primary", key="sign_in")
        st.stop()
    email = st.user.get("email")
    if state != shared.ALLOWED:  # refused, or anything else: fail closed
        st.title("Youth Listening explorer")
        st.error(
            f"You are signed in as {escape_markdown(email or 'an account without an e-mail')}, "
            "which is not on this explorer's list of users. Ask the explorer's administrator "
            "to add you, or sign out and sign in with another account."
        )
        st.button("Sign out", on_click=st.logout, key="sign_out_refused")
        st.stop()
    st.sidebar.caption(f"Signed in as {escape_markdown(email)}")
    st.sidebar.button("Sign out", on_click=st.logout, key="sign_out")


sign_in_gate()

# No page icons: Streamlit fetches st.Page's Material icons from another host, and
# the explorer must work on an offline network (the browser test fails on any
# request to a host other than the app's own).
PAGES = [
    st.Page("app_pages/overview.py", title="Overview", default=True),
    st.Page("app_pages/explore.py", title="Explore a question"),
    st.Page("app_pages/map.py", title="Map"),
    st.Page("app_pages/who_took_part.py", title="Who took part"),
    st.Page("app_pages/safer.py", title="What would make you safer"),
    st.Page("app_pages/change.py", title="Change since the last survey"),
    st.Page("app_pages/accessibility.py", title="Accessibility"),
]
page = st.navigation(PAGES)

# WCAG 2.2 AA styles Streamlit's theme options cannot set (the theme itself is in
# .streamlit/config.toml): a keyboard focus indicator that differs from the
# current page's highlight in the navigation (yellow with a black outline, as on
# GOV.UK, against the current page's grey), and no sideways overflow on phones.
st.html(
    """<style>
:focus-visible, [data-testid="stSidebarNavLink"]:focus-visible {
  outline: 3px solid #0b0c0c !important;
  outline-offset: 2px !important;
  box-shadow: 0 0 0 6px #ffdd00 !important;
}
[data-testid="stSidebarNavLink"]:focus-visible {
  background-color: #ffdd00 !important;
}
[data-testid="stSidebarNavLink"]:focus-visible span { color: #0b0c0c !important; }
[data-testid="stSidebarNavLink"][aria-current="page"] span { font-weight: 700; }
[data-testid="stMarkdownContainer"] { overflow-wrap: anywhere; }
.yl-narrow { display: none; }
@media (max-width: 640px) {
  .yl-narrow { display: inline; }
  [data-testid="stMain"] h1 { font-size: 2rem; }
  [data-testid="stMain"] h2 { font-size: 1.5rem; }
}
</style>"""
)


def _uploaded_source(problems: list[str]) -> shared.Source | None:
    st.sidebar.caption(
        f"Upload a survey file with its codebook; population margins are optional. "
        f"Files up to {MAX_UPLOAD_MB} MB. Files stay in this session's memory only."
    )
    data = st.sidebar.file_uploader(
        "Survey file (csv, xlsx, sav or parquet)",
        type=list(UPLOAD_TYPES["survey"]),
        key="upload_survey",
        max_upload_size=MAX_UPLOAD_MB,
    )
    book = st.sidebar.file_uploader(
        "Codebook (yaml)",
        type=list(UPLOAD_TYPES["codebook"]),
        key="upload_codebook",
        max_upload_size=MAX_UPLOAD_MB,
    )
    margins = st.sidebar.file_uploader(
        "Population margins (csv, optional)",
        type=list(UPLOAD_TYPES["margins"]),
        key="upload_margins",
        max_upload_size=MAX_UPLOAD_MB,
    )
    if data is None or book is None:
        problems.append("Upload a survey file and its codebook to use your own data.")
        return None
    try:
        check_upload(data.name, data.size, "survey")
        check_upload(book.name, book.size, "codebook")
        if margins is not None:
            check_upload(margins.name, margins.size, "margins")
        survey_bytes, book_bytes = data.getvalue(), book.getvalue()
        margins_bytes = margins.getvalue() if margins is not None else None
        key = shared.digest(survey_bytes, book_bytes, margins_bytes)
        return shared.uploaded_source(
            key,
            data.name,
            survey_bytes,
            book_bytes,
            margins.name if margins is not None else None,
            margins_bytes,
            codebook_name=book.name,
        )
    except yl.ListeningError as err:
        problems.append(str(err))
        return None


def sidebar() -> shared.Context:
    """The shared sidebar: data source, minimum base, interval method."""
    st.sidebar.header("Data and settings")
    choice = st.sidebar.radio(
        "Data source",
        ["Bundled sample", "Upload a survey"],
        key="data_source",
        help="The bundled sample is synthetic: made-up young people, realistic patterns.",
    )
    problems: list[str] = []
    source = None
    if choice == "Upload a survey":
        source = _uploaded_source(problems)
    if source is None:
        source = shared.load_sample_source()
    min_base = st.sidebar.selectbox(
        "Minimum base (hide groups with fewer answers)",
        MIN_BASES,
        key="min_base",
        help=f"Groups with fewer answers than this show [c]; one more group is hidden "
        f"when needed so hidden figures cannot be worked out from the total. It can be "
        f"raised, never set below {MIN_BASE}; a higher one hides everything {MIN_BASE} "
        f"hides too.",
    )
    ci = st.sidebar.selectbox(
        "Interval method",
        list(INTERVALS),
        format_func=INTERVALS.get,
        key="ci",
        help="How confidence intervals for percentages are worked out.",
    )
    for problem in problems:
        if problem.startswith("Upload a survey file"):
            st.sidebar.info(problem)
        else:
            st.sidebar.error(escape_markdown(problem))
    if problems and choice == "Upload a survey":
        st.sidebar.caption("Nothing is shown until the upload can be used.")
    if problems and choice == "Upload a survey":  # the pages stop: no sample figures here
        return shared.Context(source=source, min_base=int(min_base), ci=str(ci), problems=problems)
    report = source.survey.report()
    if source.key != shared.SAMPLE_KEY:
        with st.sidebar.expander("Checks on your file", expanded=bool(report.n_rejected)):
            reasons = report.to_frames()["reasons"]
            if reasons.empty:
                st.success("Every row passed the codebook's rules.")
            else:
                # The counts first: the sidebar is narrow, and they are what matters.
                named = reasons.rename(columns={"rule": "Rule", "column": "Column", "rows": "Rows"})
                st.dataframe(
                    named[["Rows", "Rule", "Column"]],
                    hide_index=True,
                    key="upload-reasons",
                    column_config={"Rows": st.column_config.NumberColumn(width="small")},
                )
            st.caption("Rows are counted by reason only; rejected rows are never shown.")
    st.sidebar.caption(
        f"**{escape_markdown(source.label)}**: {report.n_kept:,} young people kept of "
        f"{report.n_read:,} rows read ({report.n_rejected:,} rejected; see *Who took part*). "
        f"{escape_markdown(source.weighting_note)}"
    )
    return shared.Context(source=source, min_base=int(min_base), ci=str(ci), problems=problems)


# The context lives in this session's state only, never in a global of this script: the
# script's module stays in sys.modules["__main__"] after its run, and would keep an upload
# alive after its session.
st.session_state[shared.CONTEXT_KEY] = sidebar()
# Upload problems at the top of every page too, in words, not only in the sidebar
# (closed on a phone) or below the fold.
# With "Upload a survey" chosen, a missing or broken upload stops every page: figures of
# the sample must never pass for the upload's.
upload_problems = [p for p in shared.context().problems if not p.startswith("Upload a survey file")]
if upload_problems:
    st.title("Your upload cannot be used yet")
    st.error(
        "\n\n".join(escape_markdown(problem) for problem in upload_problems)
        + "\n\nFix the file and upload it again (the checks run again at once), or choose "
        "*Bundled sample* under *Data source* in the sidebar to look at the sample instead. "
        "No figures are shown until then."
    )
    st.stop()
if st.session_state.get("data_source") == "Upload a survey" and shared.context().problems:
    st.title("Upload your survey")
    st.info(
        "Upload a survey file and its codebook in the sidebar (under *Data and settings*; "
        "on a phone, open it with the arrow at the top left). Figures appear once both are "
        "read and checked; choose *Bundled sample* to look at the sample meanwhile."
    )
    st.stop()
try:
    page.run()
finally:  # once the first page is drawn (or stopped), so that it does not wait on the thread
    if warm_up.warm_up_wanted():  # the sample's first views, with the sidebar's defaults,
        warm_up.warm_sample_publications(MIN_BASE, next(iter(INTERVALS)))
        warm_likely_bases()  # and every question, in a worker process, at other minimum bases
