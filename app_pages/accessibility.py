"""Accessibility: the statement the Public Sector Bodies Accessibility Regulations 2018 ask for.

Also the explorer's glossary ("Words used here"). The page computes nothing;
what it says about testing is what ``tests/test_browser.py`` checks on every
build (axe-core on every page at desktop and phone widths, no request to any
other host).
"""

from __future__ import annotations

import streamlit as st

from listening.explorer.escape import escape_markdown
from listening.explorer.statement import SECTION, Contact, ContactError

# The day the statement was last checked against the explorer (update it with the text).
REVIEWED = "1 December 2026"
AXE_VERSION = "4.14.1"  # the axe-core the Makefile installs for the browser test

st.title("Accessibility statement")
st.write(
    "This statement is for the Youth Listening explorer, the website that shows the "
    "results of the youth safety survey. We want as many people as possible to be able "
    "to use it. You should be able to:"
)
st.markdown(
    "- change colours, contrast and fonts with your browser or computer settings;\n"
    "- use every page on a phone, 390 pixels wide, without scrolling sideways;\n"
    "- move through each page with a keyboard, and see where you are (a yellow and "
    "black outline shows the part of the page you have reached);\n"
    "- use the explorer with a screen reader: each page has one main heading, and "
    "sections have headings in order;\n"
    "- read every figure in a chart as text in the table below it (the caption under "
    "each chart names its table), and download the "
    "table as a spreadsheet;\n"
    "- use it on a network without internet access: it loads nothing from other websites."
)

st.header("How accessible this explorer is")
st.write(
    "This explorer is partially compliant with the Web Content Accessibility Guidelines "
    "(WCAG) version 2.2, level AA, because of the problems listed below. Most of them "
    "come from Streamlit, the software the explorer is built with; we link each to "
    "Streamlit's own record of the problem, so you can see whether it has been fixed."
)

st.header("Problems we know about")
st.markdown(
    "- **Charts** are pictures. A screen reader hears the chart's name but not its "
    "points. Every figure in a chart is also in the table below it, which the chart's "
    "caption names "
    "(WCAG 1.1.1, non-text content). Streamlit issue "
    "[#8563](https://github.com/streamlit/streamlit/issues/8563) tracks text "
    "alternatives for charts and tables.\n"
    "- **Table menus**: the menu that sorts or hides a table's columns can be opened with "
    "a mouse, not with the keyboard (WCAG 2.1.1, keyboard). The tables themselves can be "
    "read with the keyboard, and downloaded. Streamlit issue "
    "[#13332](https://github.com/streamlit/streamlit/issues/13332).\n"
    "- **Some controls** are awkward with the keyboard alone, for instance choosing "
    "several answers in a list (WCAG 2.1.1). Streamlit issue "
    "[#13347](https://github.com/streamlit/streamlit/issues/13347).\n"
    "- **File uploads**: the area you can drop a file on is labelled but hidden from "
    "the keyboard, which some checkers report; use its *Browse files* button instead. "
    "Streamlit made this change in pull request "
    "[#15928](https://github.com/streamlit/streamlit/pull/15928) (for issue "
    "[#15921](https://github.com/streamlit/streamlit/issues/15921)). Our automatic "
    "check allows this one finding, on upload areas only.\n"
    "- **Page language and structure** are set by Streamlit, not by us. Streamlit "
    "issue [#8399](https://github.com/streamlit/streamlit/issues/8399) asks for control "
    "over them."
)


def _contact() -> str | None:
    """Whom to contact (``[accessibility]`` in the deployment's secrets), if given;
    ``make serve`` refuses details that do not check out."""
    if not st.secrets.load_if_toml_exists():
        return None
    try:
        return Contact.from_config(st.secrets.get(SECTION)).reach()
    except ContactError:
        return None


st.header("Report a problem or ask for another format")
reach = _contact()
st.write(
    "If you find a problem that is not listed here, or you need the results in another "
    "format (for instance a spreadsheet, large print or an accessible document), contact "
    + (
        escape_markdown(reach)
        if reach
        else "the team that runs this explorer: the person who gave you access, or the "
        "commissioner's research team."
    )
    + " Tell us the page, what you were trying to do, and the browser and any assistive "
    "technology you use."
)
st.write(
    "The Equality and Human Rights Commission (EHRC) is responsible for enforcing the "
    "Public Sector Bodies (Websites and Mobile Applications) (No. 2) Accessibility "
    "Regulations 2018. If you are not happy with how we respond to your complaint, "
    "contact the Equality Advisory and Support Service (EASS)."
)

st.header("How we tested this explorer")
st.write(
    f"Every change to the explorer is tested automatically in the Chromium browser with "
    f"axe-core {AXE_VERSION}, on every page, at a desktop width (1,440 pixels) and a "
    f"phone width (390 pixels). A change is not accepted while axe-core finds any "
    f"problem (other than the upload area above), while any page can be scrolled "
    f"sideways on a phone, or while a page asks for anything from another website. The "
    f"test also keeps a picture of each page for a person to look at. Text colours were "
    f"chosen for a contrast of at least 4.5 to 1 (captions are 5.2 to 1)."
)
st.write(f"This statement was prepared on {REVIEWED}, and last reviewed on {REVIEWED}.")

st.header("Words used here")
st.caption("Terms you will meet on the other pages, in plain words.")
GLOSSARY = {
    "Weighted base": "How many young people a group's answers stand for once the answers "
    "are weighted to the population, shown beside the number who actually answered.",
    "Weighting, raking": "Some groups answer surveys more than others. Weighting gives "
    "each answer a weight so that the sample matches the population (from ONS figures) "
    "by district, age and sex. Raking is the way the weights are found: they are "
    "adjusted to match each of those in turn, over and over (each round is a sweep), "
    "until they match all of them.",
    "Kish effective base": "How many answers a weighted sample is worth: weighting and "
    "surveying whole schools make estimates less precise, as if fewer young people had "
    "answered. A base of 1,000 with an effective base of 600 is as precise as a simple "
    "random sample of 600.",
    "Coefficient of variation": "How much the weights differ from each other, relative "
    "to their average. The larger it is, the more weighting costs in precision.",
    "Confidence interval": "The range the true figure is likely to be in. A 95% "
    "interval of 51% to 57% means that, had we asked every young person, the answer "
    "would most likely be between 51% and 57%.",
    "Rao-Scott test": "A check of whether the answers differ between groups by more "
    "than chance would explain, adjusted for weighting and for surveying whole schools. "
    "A small p (below 0.05) means the difference is unlikely to be chance.",
    "Significantly higher or lower, Holm's adjustment": "A group is called significantly "
    "higher or lower than the rest only when the difference is too large to be chance. "
    "Testing many groups at once makes a chance difference likelier, so each test is made "
    "stricter (Holm's adjustment); the tests allow for the weighting and the schools.",
    "Design effect": "How much wider the intervals are than they would be from a simple "
    "random sample of the same size (1 is no wider).",
    "[c]": "Hidden to protect young people: fewer than the minimum base (10 unless "
    "raised) answered, or the figure is hidden so a hidden one cannot be worked out "
    "from the totals.",
    "How [c] is checked": "Everything the explorer shows of one question (every table, "
    "filter, page and download) is checked together, as someone trying to work out a "
    "small group would: adding and taking away the figures shown, across tables and "
    "pages. No group of fewer than the minimum base can be worked out or narrowed down. "
    "Comparing how many answered two different questions only shows how many skipped a "
    "question, not what anyone answered.",
    "[u]": "Low reliability: the estimate is worth fewer than 30 simple random answers "
    "(its effective base), so read it with care.",
    "[x]": "Not available: no interval can be worked out (too few schools).",
    "[z]": "Not applicable: the whole population is not compared with itself, and an "
    "estimate of 0% or 100% is not tested against the rest.",
    "Don't know and prefer not to say": "Don't know and prefer-not-to-say answers are "
    "left out: percentages are of the young people who gave an answer.",
}
st.markdown("\n".join(f"- **{term}**: {meaning}" for term, meaning in GLOSSARY.items()))
