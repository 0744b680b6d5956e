"""The Change page hides, in the later wave, every group the explorer's publication hides.

The red team's upload (leak 4): the bundled sample with Fenland cut to 6
respondents, against the bundled 2024 wave. The explorer's publication of
"safe after dark" hides Cambridge, East Cambridgeshire and Fenland by district
(Fenland below the base, the other two to protect it and the pairs' small
groups). Protected on its own, the Change page's later wave hid East
Cambridgeshire and Fenland only and showed Cambridge's base, 239: with the
explorer's tables ``yl.audit`` then works out groups of fewer than 10
(Cambridge's 11-13 year olds in no school year group, 9). With the
publication's hidden groups forced (``group_changes(hide=)``, as both pages
pass them) the Change page's bases add nothing the attacker can use.

The floor: at a higher minimum base the page hides what the lowest hides, in
the earlier wave too (whose protection is the Change page's own).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import listening as yl
from listening.explorer.change import WavePair, group_changes, wave_pair
from listening.explorer.cross import publish_question
from listening.explorer.publication import Publication, apply_reasons, breakdown_sets
from listening.explorer.sources import designs
from listening.explorer.took_part import composition_variables, publish_took_part
from listening.explorer.views import BREAKDOWNS, HEADLINES
from listening.paths import SAMPLE_DIR
from listening.publish.published import PublishedTable

WAVE = SAMPLE_DIR / "wave2024"
DARK = next(h for h in HEADLINES if h.question == "safe_dark")


def _fenland_cut(frame: pd.DataFrame, n: int = 6) -> pd.DataFrame:
    fenland = frame["district"] == "Fenland"
    return frame[~fenland | (fenland.cumsum() <= n)]


def _sample_frame() -> pd.DataFrame:
    return pd.read_csv(SAMPLE_DIR / "responses.csv", dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def later():
    """The red team's upload: its survey and designs (raked to the bundled margins)."""
    data = _fenland_cut(_sample_frame()).to_csv(index=False).encode("utf-8")
    survey = yl.read_survey(data, yl.load_codebook(), name="later.csv")
    return survey, designs(survey, yl.load_margins())


@pytest.fixture(scope="module")
def pair(later) -> WavePair:
    """The uploaded survey against the bundled 2024 files uploaded as the earlier wave."""
    survey = yl.read_survey(WAVE / "responses.csv", yl.load_codebook(WAVE / "codebook.yaml"))
    return wave_pair(later[1], designs(survey, yl.load_margins()))


@pytest.fixture(scope="module")
def harmonise() -> yl.Harmonisation:
    return yl.read_harmonisation(WAVE / "harmonise.yaml")


@pytest.fixture(scope="module")
def publication(later) -> Publication:
    """The explorer's publication of safe_dark at minimum base 10, as
    ``app_pages.shared.publication`` makes it (with Who took part's hides)."""
    survey, built = later
    cells = [[c for c in m.columns if c != "population"] for m in built.margins]
    variables = [column for _, column in composition_variables(survey.codebook, survey.data)]
    took_part = publish_took_part(
        survey.data, variables, cells, min_base=10, codebook=survey.codebook
    )
    return publish_question(
        built.unweighted,
        DARK.question,
        columns=_columns(survey),
        min_base=10,
        took_part=took_part,
        codebook=survey.codebook,
    )


def _columns(survey) -> list[str]:
    return [c for c in BREAKDOWNS.values() if c in survey.data]


def _explorer_tables(later, publication: Publication) -> list[PublishedTable]:
    """Every table of the question the explorer shows (each breakdown and pair), its
    groups hidden as the publication says: what a reader of Explore and the Map holds."""
    survey, built = later
    out = []
    for by in breakdown_sets(_columns(survey)):
        tab = yl.crosstab(built.unweighted, DARK.question, by=list(by), min_base=0)
        keys = tab.table.drop_duplicates(list(by))[list(by)].astype(str)
        reasons = [publication.reason(by, key) for key in keys.itertuples(index=False)]
        shown = apply_reasons(tab, reasons, min_base=10).table
        rows = shown[[*by, "category", "n", "base"]].copy()
        out.append(PublishedTable(DARK.question, by, rows, kind="single", name="+".join(by)))
    return out


def _change_page(groups: pd.DataFrame) -> PublishedTable:
    """The later wave's bases the Change page shows by district (the county's and each
    shown district's "2025 answered")."""
    shown = groups[~groups["reason"].astype(bool)]
    rows = pd.DataFrame(
        {
            "district": shown["group"].astype(str).to_numpy(),
            "category": "(answered)",
            "n": np.nan,
            "base": shown["base_after"].to_numpy(dtype=float),
        }
    )
    return PublishedTable(DARK.question, ("district",), rows, kind="unknown", name="change page")


def _hidden(groups: pd.DataFrame) -> set[str]:
    return set(groups.loc[groups["reason"].astype(bool), "group"])


def test_the_change_page_adds_nothing_to_the_explorers_tables(later, pair, harmonise, publication):
    hides = publication.hidden()[("district",)]
    assert hides == {("Cambridge",), ("East Cambridgeshire",), ("Fenland",)}
    tables = _explorer_tables(later, publication)
    assert yl.audit(tables, policy=10).ok  # the explorer alone

    groups = group_changes(pair, harmonise, DARK, "district", floor=10, hide={10: hides})
    assert _hidden(groups) == {key[0] for key in hides}
    result = yl.audit([*tables, _change_page(groups)], policy=10)
    assert result.ok, str(result)

    # Control: protected on its own the later wave shows Cambridge, and the two pages
    # together give groups of fewer than 10 away.
    alone = group_changes(pair, harmonise, DARK, "district", floor=10)
    assert _hidden(alone) == {"East Cambridgeshire", "Fenland"}
    cambridge = alone.loc[alone["group"] == "Cambridge", "base_after"].iloc[0]
    assert (
        cambridge
        == later[1].unweighted.data.query("district == 'Cambridge'")[DARK.question].notna().sum()
    )
    result = yl.audit([*tables, _change_page(alone)], policy=10)
    assert not result.ok
    assert "Cambridge" in str(result)


def _few_in(design: yl.SurveyDesign, district: str, n: int) -> yl.SurveyDesign:
    inside = design.data["district"] == district
    return design.subset(~inside | (inside.cumsum() <= n))


@pytest.fixture(scope="module")
def small_before() -> WavePair:
    """The bundled waves, the earlier with 6 respondents in Fenland: hidden there, with
    one more district to protect it, picked around the later wave's hidden groups."""
    after = yl.SurveyDesign.from_survey(yl.load_sample())
    before = _few_in(yl.SurveyDesign.from_survey(yl.load_sample_2024()), "Fenland", 6)
    return WavePair(after, before, False, "")


def test_the_earlier_wave_is_protected_around_the_later_waves_hidden_groups(small_before):
    harmonise = yl.load_harmonisation()
    for forced in ("Cambridge", "Huntingdonshire"):
        groups = group_changes(small_before, harmonise, DARK, "district", hide={10: {(forced,)}})
        assert _hidden(groups) == {forced, "Fenland"}  # no third district hidden
        reasons = groups.set_index("group")["reason"]
        assert reasons[forced] == "2025: secondary"
        assert reasons["Fenland"] == "2024: threshold"


def _shown_together(*frames: pd.DataFrame) -> set[str]:
    return set().union(*(set(f["group"]) - _hidden(f) for f in frames))


def test_a_higher_minimum_base_hides_what_the_lowest_hides(small_before):
    """Hides that differ by base (another publication at each): at 20 with the floor
    every group hidden at 10 stays hidden, so the two bases together leave Fenland's
    earlier wave protected; without the floor they show every district but Fenland."""
    harmonise = yl.load_harmonisation()
    hide = {10: {("Cambridge",)}, 20: {("Huntingdonshire",)}}
    low = group_changes(small_before, harmonise, DARK, "district", min_base=10, hide=hide)
    high = group_changes(
        small_before, harmonise, DARK, "district", min_base=20, floor=10, hide=hide
    )
    assert _hidden(high) >= _hidden(low)
    assert _hidden(high) == {"Cambridge", "Huntingdonshire", "Fenland"}
    assert _shown_together(low, high) == _shown_together(low)
    # Control: without the floor the two bases hide different sides of Fenland.
    apart = group_changes(small_before, harmonise, DARK, "district", min_base=20, hide=hide)
    assert "Cambridge" not in _hidden(apart)
    assert _shown_together(low, apart) == set(low["group"]) - {"Fenland"}


def test_hides_must_cover_every_minimum_base_used(small_before):
    harmonise = yl.load_harmonisation()
    with pytest.raises(yl.ListeningError, match=r"hidden groups at each of \[20, 10\]"):
        group_changes(
            small_before, harmonise, DARK, "district", min_base=20, floor=10, hide={20: set()}
        )
    everyone = group_changes(small_before, harmonise, DARK, "district", hide={10: {("All",)}})
    assert everyone["reason"].iloc[0] == "secondary" and np.isnan(everyone["base_after"].iloc[0])


def test_the_change_page_hides_what_explore_hides_on_an_upload():
    """The pages pass the publication's hides: the red team's upload, read off the pages."""
    at = AppTest.from_file(str(SAMPLE_DIR.parent / "app.py"), default_timeout=600)
    at.run()
    at.radio(key="data_source").set_value("Upload a survey").run()
    data = _fenland_cut(_sample_frame()).to_csv(index=False).encode("utf-8")
    at.file_uploader(key="upload_survey").set_value(("s.csv", data, "text/csv"))
    book = (SAMPLE_DIR / "codebook.yaml").read_bytes()
    at.file_uploader(key="upload_codebook").set_value(("book.yaml", book, "text/yaml"))
    margins = (SAMPLE_DIR / "population_margins.csv").read_bytes()
    at.file_uploader(key="upload_margins").set_value(("m.csv", margins, "text/csv"))
    at.run()
    at.switch_page("app_pages/explore.py").run()
    at.selectbox(key="explore_question").set_value(DARK.question).run()
    at.multiselect(key="explore_by").set_value(["District"]).run()
    explore = at.dataframe[0].value
    hidden = set(explore.loc[explore["Answered (base)"] == "[c]", "District"])
    assert hidden == {"Cambridge", "East Cambridgeshire", "Fenland"}
    at.switch_page("app_pages/change.py").run()
    at.radio(key="change_before").set_value("Upload the earlier wave").run()
    for key, name, kind in (
        ("change_upload_survey", "responses.csv", "text/csv"),
        ("change_upload_codebook", "codebook.yaml", "text/yaml"),
        ("change_upload_harmonise", "harmonise.yaml", "text/yaml"),
    ):
        at.file_uploader(key=key).set_value((name, (WAVE / name).read_bytes(), kind))
    at.run()
    at.selectbox(key="change_indicator").set_value(DARK).run()
    assert not at.exception, [e.message for e in at.exception]
    (table,) = [f.value for f in at.dataframe if list(f.value.columns)[:1] == ["District"]]
    answered = table.set_index("District")["2025 answered"]
    assert set(answered[answered == "[c]"].index) == hidden
    assert answered["Huntingdonshire"] != "[c]"  # a shown district, as a control


def test_change_table_refuses_hides_without_groups(small_before):
    with pytest.raises(yl.ListeningError, match="hide names groups, but there is no by"):
        yl.change_table(small_before.after, small_before.before, "seen_knife", hide={("Ely",)})
