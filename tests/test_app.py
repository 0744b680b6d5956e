"""The explorer in Streamlit's AppTest: every page, the main interactions, and
that what it shows equals what `listening` computes, with nothing hidden leaking."""

from __future__ import annotations

import functools
import html
import json
import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.io as pio
import pytest
from explorer_reading import figure_numbers, offer
from streamlit.testing.v1 import AppTest

import listening as yl
from app_pages.settings import MIN_BASES
from listening.design.margins import MARGINS_FILE
from listening.errors import IngestError
from listening.explorer.cross import publish_question
from listening.explorer.escape import escape_markdown
from listening.explorer.publication import apply_reasons
from listening.explorer.sources import designs
from listening.explorer.took_part import composition_variables, publish_took_part
from listening.explorer.views import (
    BREAKDOWNS,
    HEADLINES,
    analysis_frame,
    check_upload,
    composition,
    display_table,
    filter_mask,
    significance_phrase,
)
from listening.paths import SAMPLE_DIR
from listening.publish.freetext import theme_counts

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
PAGES = {
    "explore": "app_pages/explore.py",
    "map": "app_pages/map.py",
    "who": "app_pages/who_took_part.py",
    "safer": "app_pages/safer.py",
}


@pytest.fixture(scope="module")
def sample():
    survey = yl.load_sample()
    book = survey.codebook
    margins = yl.load_margins(survey)
    data = analysis_frame(survey.data, book)
    unweighted = yl.SurveyDesign(data, strata=book.strata, clusters=book.clusters)
    return {
        "survey": survey,
        "book": book,
        "margins": margins,
        "raked": unweighted.rake(margins),
        "unweighted": unweighted,
    }


def _run(page: str | None = None, **sidebar) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180)
    at.run()
    for key, value in sidebar.items():
        widget = at.selectbox(key=key)
        widget.set_value(value)
    if sidebar:
        at.run()
    if page is not None:
        at.switch_page(PAGES[page]).run()
    _no_exception(at)
    return at


def _no_exception(at: AppTest) -> None:
    assert not at.exception, [e.message for e in at.exception]
    assert not at.main.error, [e.value for e in at.main.error]


def _table(at: AppTest, first_column: str, *also: str) -> pd.DataFrame:
    """The first table shown whose first column is ``first_column`` and that has ``also``."""
    for frame in at.dataframe:
        columns = list(frame.value.columns)
        if columns and columns[0] == first_column and set(also) <= set(columns):
            return frame.value.reset_index(drop=True)
    raise AssertionError(f"no table starting with {first_column!r} with {also}")


def _figures(at: AppTest) -> list:
    return [pio.from_json(chart.proto.spec) for chart in at.get("plotly_chart")]


def _page_text(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [m.value for m in at.metric] + [e.value for e in at.info]
    parts += [f.value.to_csv() for f in at.dataframe]
    return "\n".join(map(str, parts))


@functools.lru_cache(maxsize=16)
def _reasons(question: str, min_base: int) -> dict[tuple[str, ...], dict[tuple, str]]:
    """The explorer's publication of a question, made with the library: every breakdown and
    published pair protected together (``yl.crosstabs``' pattern, tests/test_crosstab_protection),
    with Who took part's counts (:func:`listening.explorer.cross.publish_question`); per
    table, each group's reason."""
    survey = yl.load_sample()
    built = designs(survey, yl.load_margins())
    variables = [column for _, column in composition_variables(survey.codebook, survey.data)]
    cells = [[c for c in m.columns if c != "population"] for m in built.margins]
    everyone = publish_took_part(
        survey.data, variables, cells, min_base=min_base, codebook=survey.codebook
    )
    columns = [c for c in BREAKDOWNS.values() if c in survey.data]
    return publish_question(
        built.unweighted,
        question,
        columns=columns,
        min_base=min_base,
        took_part=everyone,
        codebook=survey.codebook,
    ).reasons


def _published(design, question: str, by: list[str], book, min_base: int = 10, **kw):
    """What Explore and the Map show: the table with the publication's hidden groups."""
    order = [c for c in BREAKDOWNS.values() if c in by]
    reasons = _reasons(question, min_base)[tuple(order)]
    tab = yl.crosstab(design, question, by=by, min_base=0, codebook=book, **kw)
    groups = tab.table.drop_duplicates(by)[by].astype(str)
    keys = [tuple(row[c] for c in order) for row in groups.to_dict("records")]
    return apply_reasons(tab, [reasons[k] for k in keys], min_base=min_base)


# Overview -----------------------------------------------------------------------------


def test_overview_headlines_equal_the_estimators(sample):
    at = _run()
    design, book = sample["raked"], sample["book"]
    shown = [m.value for m in at.metric]
    assert len(shown) == len(HEADLINES)
    for headline, value in zip(HEADLINES, shown, strict=True):
        # Independent of the app's derived columns: sum the net's options.
        table = yl.proportion(design, headline.question)
        members = book.question(headline.question).nets.get(headline.category, (headline.category,))
        expected = table.loc[table["category"].astype(str).isin(members), "estimate"].sum()
        assert value == f"{expected * 100:.0f}%", headline.label


def test_overview_compares_a_district_with_the_rest_in_words(sample):
    at = _run()
    at.selectbox(key="overview_group").set_value("Fenland").run()
    _no_exception(at)
    tests = yl.vs_rest(sample["raked"], "seen_knife", by="district")
    row = tests[(tests["district"].astype(str) == "Fenland") & (tests["category"] == "Yes")]
    phrase = significance_phrase(int(row["vs_rest"].iloc[0]))
    table = _table(at, "Indicator", "Rest of the county %")
    knife = table[table["Indicator"].str.contains("knife")].iloc[0]
    if _reasons("seen_knife", 10)[("district",)][("Fenland",)]:  # hidden as on the Map
        assert knife["Compared with the rest of the county"] == "[c]"
        assert knife["Rest of the county %"] == "[c]"
    else:
        assert knife["Compared with the rest of the county"] == phrase
        assert knife["Rest of the county %"] == f"{row['rest'].iloc[0] * 100:.1f}"
    assert any("in Fenland" in m.value for m in at.markdown)


def test_overview_by_age_band(sample):
    at = _run()
    at.radio(key="overview_by").set_value("Age band").run()
    at.selectbox(key="overview_group").set_value("16-18").run()
    _no_exception(at)
    table = _table(at, "Indicator", "16-18 %")
    by_age = yl.proportion(sample["raked"], "trusted_adult", by="age_band")
    expected = by_age[(by_age["age_band"].astype(str) == "16-18") & (by_age["category"] == "Yes")]
    adult = table[table["Indicator"].str.contains("adult")].iloc[0]
    assert adult["16-18 %"] == f"{expected['estimate'].iloc[0] * 100:.1f}"


# Explore ------------------------------------------------------------------------------


def test_explore_table_equals_crosstab_and_proportion(sample):
    at = _run("explore")
    shown = _table(at, "District")
    tab = _published(sample["raked"], "safe_dark", ["district"], sample["book"])
    pd.testing.assert_frame_equal(shown, display_table(tab.table, ["district"]))
    direct = yl.proportion(sample["raked"], "safe_dark", by="district")
    merged = shown[shown["%"] != "[c]"].merge(
        direct.assign(District=direct["district"].astype(str), Answer=direct["category"]),
        on=["District", "Answer"],
    )
    hidden = {d for d, r in _reasons("safe_dark", 10)[("district",)].items() if r}
    shown_groups = direct[~direct["district"].astype(str).isin({d for (d,) in hidden})]
    assert len(merged) == len(shown_groups) > 0
    assert (merged["%"] == [f"{e * 100:.1f}" for e in merged["estimate"]]).all()
    assert (merged["Answered (base)"] == [f"{b:,}" for b in merged["base"]]).all()


def test_explore_filter_is_a_domain_not_dropped_rows(sample):
    at = _run("explore")
    before = _table(at, "District")
    at.multiselect(key="explore_filter_gender").set_value(["Girl"]).run()
    _no_exception(at)
    after = _table(at, "District")
    assert not after.equals(before)
    # "All" within the filter is the Girl domain of the full design: R's
    # svymean(~safe_dark, subset(design, gender == "Girl")), intervals included.
    girls = yl.proportion(sample["raked"], "safe_dark", by="gender")
    girls = girls[girls["gender"].astype(str) == "Girl"].set_index("category")
    everyone = after[after["District"] == "All"].set_index("Answer")
    for option in sample["book"].question("safe_dark").options:
        row = girls.loc[option]
        assert everyone.loc[option, "%"] == f"{row['estimate'] * 100:.1f}"
        assert everyone.loc[option, "95% interval"] == (
            f"{row['ci_low'] * 100:.1f} to {row['ci_high'] * 100:.1f}"
        )
        assert everyone.loc[option, "Answered (base)"] == f"{row['base']:,}"
    assert any("Filtered to" in i.value for i in at.info)


def test_explore_unweighted_level_and_method(sample):
    at = _run("explore", ci="beta")
    at.radio(key="explore_weighting").set_value("Unweighted")
    at.select_slider(key="explore_level").set_value(0.9)
    at.selectbox(key="explore_question").set_value("trust_police").run()
    _no_exception(at)
    shown = _table(at, "District")
    tab = _published(
        sample["unweighted"], "trust_police", ["district"], sample["book"], ci="beta", level=0.9
    )
    pd.testing.assert_frame_equal(shown, display_table(tab.table, ["district"], level=0.9))


def test_explore_two_breakdowns_and_one_answer_chart(sample):
    at = _run("explore")
    at.multiselect(key="explore_by").set_value(["Gender", "Age band"]).run()
    at.radio(key="explore_chart").set_value("One answer or net").run()
    _no_exception(at)
    shown = _table(at, "Gender", "Age band")  # gender has missing values ("Prefer not to say")
    tab = _published(sample["raked"], "safe_dark", ["gender", "age_band"], sample["book"])
    pd.testing.assert_frame_equal(shown, display_table(tab.table, ["gender", "age_band"]))
    fig = _figures(at)[0]
    assert fig.data[0].type == "scatter"  # dot-and-whisker
    assert at.selectbox(key="explore_answer").value == "Feel safe"


def test_explore_multi_select_question(sample):
    at = _run("explore")
    at.selectbox(key="explore_question").set_value("worries").run()
    _no_exception(at)
    shown = _table(at, "District")
    tab = _published(sample["raked"], "worries", ["district"], sample["book"])
    pd.testing.assert_frame_equal(shown, display_table(tab.table, ["district"]))
    ranked = _figures(at)[0]
    assert ranked.data[0].name == "All" and ranked.data[0].mode == "markers"
    overall = tab.table[tab.table["district"] == "All"].sort_values("estimate", ascending=False)
    assert list(ranked.data[0].y) == overall["category"].tolist()


def test_explore_states_the_test_when_no_district_is_hidden(sample):
    at = _run("explore")
    assert (_table(at, "District")["%"] != "[c]").all()
    assert any("(Rao-Scott test, p = " in c.value for c in at.caption)


def test_high_min_base_shows_c_and_hides_every_number(sample, monkeypatch):
    offer(monkeypatch, 300)
    at = _run("explore", min_base=300)
    shown = _table(at, "District")
    open_tab = yl.crosstab(
        sample["raked"], "safe_dark", by="district", min_base=1, codebook=sample["book"]
    )
    bases = open_tab.table.drop_duplicates("district").set_index("district")["base"]
    small = [str(d) for d, b in bases.items() if b < 300]
    assert small, "the sample should have districts under 300 answers"
    hidden = shown[shown["District"].isin(small)]
    figures = ["%", "95% interval", "Answered (base)", "Weighted base", "Compared with the rest"]
    assert (hidden[figures] == "[c]").all().all()
    # The test over every district would take in the hidden ones: not stated.
    captions = [c.value for c in at.caption]
    assert not any("Rao-Scott" in c for c in captions)
    assert any(c.startswith("No test of whether the groups differ") for c in captions)
    # No hidden estimate reaches the chart, in any form.
    secret = open_tab.table[open_tab.table["district"].astype(str).isin(small)]
    numbers = np.concatenate([figure_numbers(fig) for fig in _figures(at)])
    for value in secret["estimate"]:
        assert not np.isclose(numbers, value * 100, atol=1e-9).any()
        assert not np.isclose(numbers, value, atol=1e-12).any()


# Map ----------------------------------------------------------------------------------


def test_map_shows_the_districts_of_the_crosstab(sample):
    at = _run("map")
    shown = _table(at, "District")
    tab = _published(sample["raked"], "safe_dark", ["district"], sample["book"])
    expected = display_table(
        tab.table[tab.table["category"] == "Feel safe"], "district", rest="the rest of the county"
    )
    # Every row is the answer the map shows (its title names it): no Answer column.
    pd.testing.assert_frame_equal(shown, expected.drop(columns="Answer"))
    fig = _figures(at)[0]
    regions = {t.name for t in fig.data if t.fill == "toself"}
    geo = json.loads((SAMPLE_DIR / "districts.geojson").read_text(encoding="utf-8"))
    assert regions == {f["properties"]["name"] for f in geo["features"]}


def test_map_greys_suppressed_districts(sample, monkeypatch):
    offer(monkeypatch, 300)
    at = _run("map", min_base=300)
    shown = _table(at, "District")
    hidden = set(shown.loc[shown["%"] == "[c]", "District"])
    assert hidden
    fig = _figures(at)[0]
    for trace in fig.data:
        if trace.fill == "toself" and trace.name in hidden:
            assert "[c]" in trace.text and "%" not in trace.text
    labels = {a.text for a in fig.layout.annotations}
    assert {f"<b>{d}</b><br>[c]" for d in hidden} <= labels


# Who took part ------------------------------------------------------------------------


def test_who_took_part_sample_population_and_weights(sample):
    at = _run("who")
    survey, raked = sample["survey"], sample["raked"]
    district = _table(at, "District")
    counts = survey.data["district"].value_counts()
    for row in district.itertuples():
        assert row.Respondents == f"{counts[row.District]:,}"
        # Raking hits its targets: the weighted sample is the population.
        assert row[4] == row[5]  # Weighted % == Population %
    weights = raked.weights.to_numpy()
    deff = len(weights) * (weights**2).sum() / weights.sum() ** 2
    assert any(m.value == f"{deff:.2f}" for m in at.metric)
    reasons = _table(at, "Rule")
    expected = survey.report().to_frames()["reasons"]
    assert reasons["Rows"].tolist() == expected["rows"].tolist()


def test_no_respondent_level_data_leaves_the_app(sample):
    survey = sample["survey"]
    ids = set(survey.data["respondent_id"].astype(str)) | set(
        survey.rejected.get("respondent_id", pd.Series(dtype=str)).dropna().astype(str)
    )
    ids = {i for i in ids if len(i) >= 4}
    for page in [None, *PAGES]:
        at = _run(page)
        text = _page_text(at)
        assert not [i for i in ids if re.search(rf"\b{re.escape(i)}\b", text)], page


# What would make you safer ------------------------------------------------------------


def test_safer_options_and_themes(sample):
    at = _run("safer")
    options = _table(at, "Option")
    tab = yl.crosstab(sample["raked"], "safer_options", by="district", codebook=sample["book"])
    overall = tab.table[tab.table["district"].astype(str) == "All"]
    expected = overall.sort_values("estimate", ascending=False)
    assert options["Option"].tolist() == expected["category"].tolist()
    assert options["%"].tolist() == [f"{e * 100:.1f}" for e in expected["estimate"]]
    themes = _table(at, "Theme")
    question = sample["book"].question("safer_text")
    counts = theme_counts(sample["survey"].data, "safer_text", question.coding_frame)
    assert themes["Mentions"].tolist() == [f"{n:,}" for n in counts["n"]]
    assert not at.get("text"), "no quote without approvals"


def test_safer_by_district(sample):
    at = _run("safer")
    at.radio(key="safer_by").set_value("District").run()
    _no_exception(at)
    assert not at.get("text"), "no quote without approvals (see tests/test_freetext_app.py)"


# Uploads ------------------------------------------------------------------------------


def _upload(at: AppTest, survey: bytes, codebook: bytes, margins: bytes | None) -> AppTest:
    at.radio(key="data_source").set_value("Upload a survey").run()
    at.file_uploader(key="upload_survey").set_value(("mine.csv", survey, "text/csv"))
    at.file_uploader(key="upload_codebook").set_value(("book.yaml", codebook, "text/yaml"))
    if margins is not None:
        at.file_uploader(key="upload_margins").set_value(("m.csv", margins, "text/csv"))
    return at.run()


def test_upload_a_survey_with_codebook_and_margins(sample, tmp_path):
    lines = Path(sample["survey"].source).read_text(encoding="utf-8").splitlines()
    part = "\n".join(lines[:900]) + "\n"
    at = _upload(
        _run(),
        part.encode(),
        (SAMPLE_DIR / "codebook.yaml").read_bytes(),
        MARGINS_FILE.read_bytes(),
    )
    _no_exception(at)
    file = tmp_path / "mine.csv"
    file.write_text(part, encoding="utf-8")
    expected = yl.read_survey(file, yl.load_codebook(SAMPLE_DIR / "codebook.yaml"))
    note = " ".join(c.value for c in at.sidebar.caption)
    assert f"{len(expected.data):,} young people kept of {expected.n_read:,}" in note
    assert escape_markdown("Uploaded: mine.csv") in note
    assert escape_markdown("Weighted (raked)") in note
    reasons = next(f.value for f in at.sidebar.dataframe if "Rule" in f.value.columns)
    expected_reasons = expected.report().to_frames()["reasons"]
    assert reasons["Rows"].tolist() == expected_reasons["rows"].tolist()
    at.switch_page(PAGES["explore"]).run()
    _no_exception(at)
    shown = _table(at, "District")
    assert shown.loc[shown["District"] == "All", "Answered (base)"].iloc[0] != (
        f"{yl.load_sample().data['safe_dark'].notna().sum():,}"
    )


def test_upload_errors_are_explained_and_the_sample_stays():
    at = _upload(_run(), b"respondent_id,age\nA1,12\n", b"not: [valid", None)
    assert not at.exception, [e.message for e in at.exception]
    errors = " ".join(e.value for e in at.sidebar.error)
    assert "Codebook" in errors
    assert "Codebook" in at.main.error[0].value  # at the top of the page too
    assert any("Nothing is shown" in c.value for c in at.sidebar.caption)
    # back to the sample with one click
    at.radio(key="data_source").set_value("Bundled sample").run()
    _no_exception(at)
    assert any("Bundled synthetic sample" in c.value for c in at.sidebar.caption)


def test_uploads_over_50_mb_are_refused():
    with pytest.raises(IngestError, match="over the 50 MB limit"):
        check_upload("big.csv", 50 * 2**20 + 1, "survey")
    with pytest.raises(IngestError, match="not a codebook file"):
        check_upload("book.txt", 10, "codebook")
    check_upload("survey.sav", 50 * 2**20, "survey")


def test_oversize_upload_message_in_the_app():
    big = b"respondent_id\n" + b"A" * (50 * 2**20 + 10)
    at = _upload(_run(), big, (SAMPLE_DIR / "codebook.yaml").read_bytes(), None)
    assert not at.exception, [e.message for e in at.exception]
    assert any("over the 50 MB limit" in e.value for e in at.sidebar.error)
    assert "50 MB limit" in html.unescape(at.main.error[0].value)


# The explorer's pure functions --------------------------------------------------------


def test_filter_mask():
    data = pd.DataFrame(
        {
            "gender": pd.Categorical(["Girl", "Boy", None, "Girl"]),
            "age_band": pd.Categorical(["11-13", "11-13", "14-15", "16-18"]),
        }
    )
    assert filter_mask(data, {"gender": ["Girl"]}).tolist() == [True, False, False, True]
    both = filter_mask(data, {"gender": ["Girl"], "age_band": ["11-13", "14-15"]})
    assert both.tolist() == [True, False, False, False]
    assert filter_mask(data, {"gender": []}).all()


def test_composition_shares_add_up(sample):
    frame = composition(
        sample["survey"].data, sample["raked"].weights, sample["margins"], "age_band"
    )
    for column in ("sample", "weighted", "population"):
        assert frame[column].sum() == pytest.approx(1.0)
    assert frame["weighted"].to_numpy() == pytest.approx(frame["population"].to_numpy())


def test_downloads_show_c_and_no_hidden_number(sample, tmp_path):
    import openpyxl

    sys.path.insert(0, str(ROOT))  # the app's pages are not a package
    from app_pages.file_exports import briefing_bytes
    from listening.explorer.sources import crosstab_csv

    tab = yl.crosstab(
        sample["raked"], "safe_dark", by="district", min_base=300, codebook=sample["book"]
    )
    hidden = tab.table[tab.table["suppressed"]]
    assert len(hidden)
    open_tab = yl.crosstab(
        sample["raked"], "safe_dark", by="district", min_base=1, codebook=sample["book"]
    )
    secrets = open_tab.table.loc[
        open_tab.table["district"].isin(hidden["district"]), "estimate"
    ].round(6)
    csv = crosstab_csv(tab).decode("utf-8")
    assert "[c]" in csv
    workbook = tmp_path / "b.xlsx"
    workbook.write_bytes(briefing_bytes([tab], sample["margins"]))
    cells = [
        str(cell)
        for sheet in openpyxl.load_workbook(workbook).worksheets
        for row in sheet.iter_rows(values_only=True)
        for cell in row
        if cell is not None
    ]
    assert "[c]" in cells
    for text in (csv, " ".join(cells)):
        for secret in secrets:
            assert f"{secret:.6f}"[:7] not in text


def test_headlines_of_a_codebook_without_them():
    import yaml

    from listening.explorer.views import headline_comparison, headline_estimates
    from listening.ingest.codebook import codebook_from_dict

    raw = yaml.safe_load((SAMPLE_DIR / "codebook.yaml").read_text(encoding="utf-8"))
    raw["questions"] = [q for q in raw["questions"] if not q["name"].startswith("safe_")]
    raw["questions"] = [q for q in raw["questions"] if q["name"] not in ("seen_knife",)]
    raw["questions"] = [q for q in raw["questions"] if q["name"] != "trusted_adult"]
    book = codebook_from_dict(raw)
    data = pd.DataFrame({"district": ["Fenland", "Ely"] * 5, "q": ["a", "b"] * 5})
    design = yl.SurveyDesign(analysis_frame(data, book))
    assert headline_estimates(design).empty
    assert headline_comparison(design, "district", "Fenland").empty


def test_min_base_can_be_raised_but_never_lowered_below_ten():
    at = _run()
    widget = at.selectbox(key="min_base")
    assert widget.value == 10
    assert [int(o) for o in widget.options] == list(MIN_BASES)
    assert min(MIN_BASES) == 10


def test_raking_fit_shows_counts_and_gaps_but_no_sample_sized_totals(sample):
    at = _run("who")
    fit = _table(at, "Margin")
    assert list(fit.columns) == ["Margin", "Cell", "Respondents", "Relative gap"]
    margins = sample["raked"].diagnostics().margins
    small = margins["respondents"] < 10
    assert small.any(), "the sample has small weighting cells (e.g. 'Not known' sex)"
    shown = fit.set_index("Cell")["Respondents"]
    assert (shown[margins.loc[small, "category"]] == "[c]").all()
    visible = margins.loc[shown[margins["category"]].ne("[c]").to_numpy()]
    assert shown[visible["category"]].tolist() == [f"{n:,}" for n in visible["respondents"]]


# Uploads: shown as text, kept in the session only ---------------------------------------

MARKDOWN = "![x](http://127.0.0.1:9/col.png)"


def _upload_files(marker: str = "", *, wording: str = "") -> tuple[bytes, bytes]:
    """The bundled sample as an upload: an extra column named ``MARKDOWN``, free text
    containing ``marker``, and ``wording`` added to two questions' wordings."""
    import yaml

    frame = pd.read_csv(SAMPLE_DIR / "responses.csv", dtype=str, keep_default_na=False)
    frame = frame.iloc[:900].copy()
    frame[MARKDOWN] = "1"
    if marker:
        frame.loc[frame.index[:60], "safer_text"] = f"more street lights please {marker}"
    book = yaml.safe_load((SAMPLE_DIR / "codebook.yaml").read_text(encoding="utf-8"))
    for question in book["questions"]:
        if question["name"] in ("safe_dark", "safer_text"):
            question["wording"] = f"{question['wording']} {wording}".strip()
    return frame.to_csv(index=False).encode(), yaml.safe_dump(book).encode()


def _markdown_sources(at: AppTest) -> list[str]:
    """Every string the app hands Streamlit to render as markdown: text elements,
    metric labels, widget labels, help and radio/slider options."""
    parts: list[str] = []
    for kind in ("markdown", "caption", "error", "info", "warning", "success"):
        parts += [str(e.value) for e in at.get(kind)]
    parts += [str(e.value) for e in [*at.title, *at.header, *at.subheader]]
    parts += [m.label for m in at.metric] + [m.proto.help for m in at.metric]
    for kind in ("selectbox", "multiselect", "radio", "select_slider", "toggle", "number_input"):
        for widget in at.get(kind):
            parts += [widget.label, widget.help or ""]
            if kind in ("radio", "select_slider"):
                parts += [str(o) for o in widget.options]
    return parts


def _pages_with_upload(survey: bytes, codebook: bytes, name: str):
    """The app with this upload, then every page in turn (yields the AppTest)."""
    at = _run()
    at.radio(key="data_source").set_value("Upload a survey").run()
    at.file_uploader(key="upload_survey").set_value((name, survey, "text/csv"))
    at.file_uploader(key="upload_codebook").set_value(("book.yaml", codebook, "text/yaml"))
    at.run()
    _no_exception(at)
    yield at
    for page in PAGES.values():
        at.switch_page(page).run()
        _no_exception(at)
        yield at


def test_labels_and_names_from_uploads_render_as_plain_text():
    from markdown_it import MarkdownIt

    parser = MarkdownIt("commonmark").enable(["table", "strikethrough"])
    link = "[w](http://127.0.0.1:9/wording.png)"
    survey, codebook = _upload_files(wording=f"**{link}** <img src=x>")
    name = f"{MARKDOWN}.csv"
    seen = {"extra column": False, "file name": False, "wording": False}
    for at in _pages_with_upload(survey, codebook, name):
        sources = _markdown_sources(at)
        joined = "\n".join(sources)
        seen["extra column"] |= escape_markdown(MARKDOWN) in joined
        seen["file name"] |= escape_markdown(f"Uploaded: {name}") in joined
        seen["wording"] |= escape_markdown(link) in joined
        for text in sources:
            html = parser.render(text)
            assert "<img" not in html and "href=" not in html, text
        for fig in _figures(at):  # plotly reads some HTML in titles: escaped
            assert "<img" not in str(fig.layout.title.text or ""), fig.layout.title.text
    assert all(seen.values()), seen  # the test saw each upload text, escaped


def _strings_holding(marker: str) -> list[str]:
    """Every str or bytes containing ``marker`` that a live object refers to (repr, cut)."""
    import gc

    gc.collect()
    needle = marker.encode()
    found = []
    for obj in gc.get_objects():
        for item in gc.get_referents(obj):
            if (isinstance(item, str) and marker in item) or (
                isinstance(item, bytes | bytearray) and needle in item
            ):
                found.append(f"{type(obj).__name__}: {item[:80]!r}")
    return found


def test_uploaded_data_stays_in_its_session_and_never_on_disk(monkeypatch):
    import builtins
    import gc
    import io
    import os
    import uuid
    import weakref

    marker = f"zq{uuid.uuid4().hex}"
    survey, codebook = _upload_files(marker, wording=marker)  # in text, wording, file name
    written: list[str] = []
    real_open, real_os_open = builtins.open, os.open

    def recording_open(file, mode="r", *args, **kwargs):
        if any(flag in mode for flag in "wax+"):
            written.append(str(file))
        return real_open(file, mode, *args, **kwargs)

    def recording_os_open(path, flags, *args, **kwargs):
        if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
            written.append(str(path))
        return real_os_open(path, flags, *args, **kwargs)

    refs = []
    with monkeypatch.context() as patch:
        for module in (builtins, io):
            patch.setattr(module, "open", recording_open)
        patch.setattr(os, "open", recording_os_open)
        for at in _pages_with_upload(survey, codebook, f"{marker}.csv"):
            source = at.session_state["explorer_context"].source
            assert source.label == f"Uploaded: {marker}.csv"
            refs = [weakref.ref(source.survey.data), weakref.ref(source.unweighted.data)]
    # The free text reached the app ...
    assert source.survey.data["safer_text"].astype(str).str.contains(marker, regex=False).any()
    del source
    # ... but no file was opened for writing while the app read and showed it,
    assert written == []
    # ... and once the session is gone nothing in the process holds the upload: no
    # cache_resource or cache_data entry, no copy of its text anywhere.
    del at
    gc.collect()
    assert [r() is None for r in refs] == [True, True]
    assert not _strings_holding(marker)


# Downloads and plain words ------------------------------------------------------------


@pytest.fixture
def downloads(monkeypatch):
    """Every file the app offers for download in this test, by file name: the bytes, or
    (for files made on click) the function that makes them."""
    from streamlit.runtime.media_file_manager import MediaFileManager
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

    offered: dict[str, object] = {}
    store, defer = MemoryMediaFileStorage.load_and_get_id, MediaFileManager.add_deferred

    def stored(self, path_or_data, mimetype, kind, filename=None):
        offered[filename] = path_or_data
        return store(self, path_or_data, mimetype, kind, filename)

    def deferred(self, data_callable, mimetype, coordinates, file_name=None, **kw):
        offered[file_name] = data_callable
        return defer(self, data_callable, mimetype, coordinates, file_name, **kw)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", stored)
    monkeypatch.setattr(MediaFileManager, "add_deferred", deferred)
    return offered


def _workbook(data):
    """The workbook of a download's bytes (or of the function that makes them)."""
    import io

    import openpyxl

    return openpyxl.load_workbook(io.BytesIO(data() if callable(data) else data))


def _briefing_checks(book, *, hidden: bool) -> None:
    """A briefing workbook: cover, contents, notes, tables with figures stored as numbers."""
    assert book.sheetnames[:3] == ["Cover", "Contents", "Notes"], book.sheetnames
    tables = [book[name] for name in book.sheetnames if name.startswith("Table_")]
    assert tables
    for sheet in tables:
        cells = [c for row in sheet.iter_rows(min_row=2, values_only=True) for c in row]
        numbers = [c for c in cells if isinstance(c, int | float) and not isinstance(c, bool)]
        assert numbers, sheet.title
        assert not any(isinstance(c, str) and re.fullmatch(r"-?\d[\d,]*\.?\d*", c) for c in cells)
        if hidden:
            assert "[c]" in cells
    notes = " ".join(str(c) for row in book["Notes"].iter_rows(values_only=True) for c in row)
    assert "[c]" in notes


def test_every_excel_briefing_is_a_briefing_workbook(downloads, monkeypatch):
    """Every "Download briefing (Excel)" gives the briefing writer's workbook, on every page;
    the Overview's is made from the headline crosstabs (a button makes it in the run)."""
    offer(monkeypatch, 300)
    at = _run(min_base=300)
    at.button(key="overview-table-make").click().run()
    _no_exception(at)
    labels = {b.proto.label for b in at.get("download_button")}
    assert "Download briefing (Excel)" in labels
    _briefing_checks(_workbook(downloads["headline_indicators.xlsx"]), hidden=False)
    assert "Download table (Excel)" not in labels
    checked = 1
    for page in ("explore", "map", "safer"):
        downloads.clear()
        at.switch_page(PAGES[page]).run()
        _no_exception(at)
        buttons = [b for b in at.get("download_button") if "briefing" in b.proto.label]
        assert buttons
        for file in [f for f in downloads if f.endswith(".xlsx")]:
            if not file.startswith("themes_"):  # the themes table's is a plain table
                _briefing_checks(_workbook(downloads[file]), hidden=page != "safer")
                checked += 1
    assert checked >= 4


def test_other_excel_tables_store_numbers_as_numbers(downloads):
    at = _run("who")
    labels = [b.proto.label for b in at.get("download_button")]
    assert "Download table (Excel)" in labels and "Download briefing (Excel)" not in labels
    book = _workbook(downloads["sample_vs_population_district.xlsx"])
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert rows[0][:2] == ("District", "Respondents")
    counts = [row[1] for row in rows[1:]]
    assert all(isinstance(n, int) for n in counts) and sum(counts) > 1_000


def _codebook_names() -> set[str]:
    book = yl.load_codebook()
    names = set(book.questions)
    names |= {"weighted_base", "ci_low", "ci_high", "vs_rest", "p_value", "in_file"}
    return {n for n in names if "_" in n}  # one-word names are also plain words (age, gender)


def _visible_text(at: AppTest) -> list[str]:
    """Text the app puts on screen: elements, labels, options, table headers and cells.
    The "Column" of the rejected-rows table names the file's own columns, on purpose."""
    parts = _markdown_sources(at)
    parts += [str(e.value) for e in at.get("metric")]
    for frame in at.dataframe:
        shown = frame.value.drop(columns=["Column"], errors="ignore")
        parts += [str(c) for c in shown.columns] + shown.astype(str).to_numpy().ravel().tolist()
    for figure in _figures(at):
        parts.append(figure.layout.title.text or "")
        parts += [str(a.text) for a in figure.layout.annotations]
        parts += [str(axis.title.text) for axis in (figure.layout.xaxis, figure.layout.yaxis)]
    return parts


def test_no_page_shows_a_column_name(sample):
    """Plain words: no codebook column name (safe_day, school_year, ...) or table field
    (weighted_base, ...) on any page, in any text, label, table header or cell."""
    names = _codebook_names()
    at = _run()
    at.selectbox(key="overview_group").set_value("Fenland").run()
    pages = [None, *PAGES.values(), "app_pages/change.py", "app_pages/accessibility.py"]
    found = {}
    for page in pages:
        if page is not None:
            at.switch_page(page).run()
        _no_exception(at)
        text = html.unescape("\n".join(_visible_text(at)))  # escape_markdown's entities
        shown = sorted(n for n in names if re.search(rf"(?<![\w/]){re.escape(n)}(?!\w)", text))
        if shown:
            found[page or "overview"] = shown
    assert not found, found


def test_large_numbers_have_thousands_separators_and_sensible_rounding(sample):
    at = _run("who")
    text = html.unescape("\n".join(_visible_text(at)))
    assert not re.search(r"(?<![\d.,])\d{4,}(?![\d-])", text.replace("2021", "")), re.findall(
        r"(?<![\d.,])\d{4,}(?![\d-])", text
    )[:5]
    assert not re.search(r"\d,\d{3}\.\d{3}", text)  # no 1,367.356
