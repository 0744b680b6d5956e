"""The explorer's attacks of issue 10 (1, 4 and 6), read from what the pages show and download.

Each test drives the app in Streamlit's AppTest, writes down every base the
pages show and every answer's count and base their CSV and Excel downloads
hold (``tests/explorer_reading.py`` runs the download buttons' file makers;
the files must agree with the screen), and hands them to the linear-programming attacker of
:mod:`listening.publish.audit` (``yl.audit`` and :class:`Attack`): no group
with 1 to ``min_base - 1`` respondents may be worked out or bounded. Each has
a control: the same attack on the figures of the old per-table path (each
view protected on its own) recovers the small group, so the tests can fail.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from explorer_reading import (
    briefing_tables,
    csv_table,
    downloads,
    excel_table,
    figure,
    make_briefing,
    no_exception,
    offer,
    recording_downloads,
)
from explorer_reading import run as _run
from streamlit.testing.v1 import AppTest

import listening as yl
from listening.explorer.publication import Publication, publish, view_reasons
from listening.explorer.quotes import consistent_quotes
from listening.explorer.views import (
    BREAKDOWNS,
    analysis_frame,
    display_table,
    filter_mask,
    headline_comparison,
)
from listening.publish.approvals import candidates, publishable, record_approvals
from listening.publish.audit import attacker, bounded
from listening.publish.disclosure import DisclosurePolicy
from listening.publish.published import PublishedTable
from listening.publish.table import ALL

WIDE = ["Girl", "Boy", "Describe another way"]
NARROW = ["Girl", "Boy"]
QUESTION = "hurt_threatened"
AFTER_DARK = "Feel safe in their local area after dark"


@pytest.fixture(scope="module")
def sample():
    survey = yl.load_sample()
    book = survey.codebook
    design = yl.SurveyDesign(
        analysis_frame(survey.data, book), strata=book.strata, clusters=book.clusters
    )
    return {"survey": survey, "book": book, "design": design}


def _table(at: AppTest, first_column: str, *also: str) -> pd.DataFrame:
    for frame in at.dataframe:
        columns = list(frame.value.columns)
        if columns and columns[0] == first_column and set(also) <= set(columns):
            return frame.value.reset_index(drop=True)
    raise AssertionError(f"no table starting with {first_column!r}")


def _number(text: str) -> float:
    return np.nan if text == "[c]" else float(str(text).replace(",", ""))


def _bases(shown: pd.DataFrame, column: str) -> dict[str, float]:
    """Each group's base as the page shows it (NaN for [c])."""
    first = shown.drop_duplicates(column)
    return {
        str(g): _number(b) for g, b in zip(first[column], first["Answered (base)"], strict=True)
    }


def _published(question: str, by: tuple[str, ...], rows: list[tuple]) -> PublishedTable:
    frame = pd.DataFrame(rows, columns=[*by, "base"])
    frame["category"] = "answered"
    frame["n"] = frame["base"]
    return PublishedTable(question, by, frame, "single", " x ".join(by))


def _answers(bases: dict[str, float]) -> pd.DataFrame:
    """A view known by its bases only, as rows of one answer that everyone gives."""
    values = list(bases.values())
    return pd.DataFrame(
        {"district": list(bases), "category": "answered", "n": values, "base": values}
    )


def _numbers(values: pd.Series) -> pd.Series:
    return pd.to_numeric(values.replace("[c]", np.nan), errors="coerce").astype(float)


def _downloaded(files: dict[str, bytes], key: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The crosstab a page offers for download: its CSV's and its Excel briefing's
    groups, answers, counts and bases (NaN where ``[c]``).

    The CSV's weighted bases must be hidden exactly where the bases are."""
    csv = csv_table(files[f"{key}-csv"])
    by = list(csv.columns[: list(csv.columns).index("category")])
    rows = csv[[*by, "category"]].assign(n=_numbers(csv["n"]), base=_numbers(csv["base"]))
    weighted = _numbers(csv["weighted_base"])
    assert (weighted.isna() == rows["base"].isna()).all(), "weighted base shown where base is not"
    (sheet,) = briefing_tables(files[f"{key}-xlsx"])
    excel = sheet.rows.astype({"n": float, "base": float}).reset_index(drop=True)
    excel.columns = [*by, "category", "n", "base"]
    return rows.reset_index(drop=True), excel


def _same_figures(screen: dict[str, float], csv: pd.DataFrame, excel: pd.DataFrame) -> None:
    """The page, its CSV and its Excel file show the same counts and bases, hidden alike."""
    key = [c for c in csv.columns if c not in ("category", "n", "base")]
    merged = csv.merge(excel, on=[*key, "category"], suffixes=("", "_xlsx"), validate="1:1")
    assert len(merged) == len(csv) == len(excel)
    for column in ("n", "base"):
        a, b = merged[column].to_numpy(), merged[f"{column}_xlsx"].to_numpy()
        assert ((a == b) | (np.isnan(a) & np.isnan(b))).all(), column
    first = csv.drop_duplicates(key)
    csv_bases = dict(zip(first[key[0]].astype(str), first["base"], strict=True))
    assert csv_bases.keys() == screen.keys()
    for group, base in screen.items():
        assert base == csv_bases[group] or (np.isnan(base) and np.isnan(csv_bases[group]))


def _view_table(question: str, by: tuple[str, ...], rows: pd.DataFrame) -> PublishedTable:
    return PublishedTable(
        question, by, rows[[*by, "category", "n", "base"]], "single", " x ".join(by)
    )


def _filter_attack(
    unfiltered: pd.DataFrame, wide: pd.DataFrame, narrow: pd.DataFrame, min_base: int
):
    """The reader's tables: the view by district, and the two filtered views.

    Each view's rows: district ("All" for everyone in the view), answer, its
    count and the base. A filter is a variable of the reader's model
    (``f1``: in the wide filter, ``f2``: in the narrow one) that everyone has;
    nobody is in the narrow filter and not in the wide one.
    """
    tables = [_view_table(QUESTION, ("district",), unfiltered)]
    for name, view in (("f1", wide), ("f2", narrow)):
        everyone = view["district"] == ALL
        tables.append(
            _view_table(QUESTION, ("district", name), view[~everyone].assign(**{name: "in"}))
        )
        inside = view[everyone].assign(**{name: "in"})
        outside = inside.assign(**{name: "out", "n": np.nan, "base": np.nan})
        tables.append(_view_table(QUESTION, (name,), pd.concat([inside, outside])))
    policy = DisclosurePolicy(
        min_base=min_base,
        complete=("district", "f1", "f2"),
        empty=((("f1", "out"), ("f2", "in")),),
    )
    return tables, policy


def _difference_bounds(tables, policy) -> dict[str, tuple[float, float]]:
    """Per district, what the reader proves about the wide filter less the narrow one."""
    attack = attacker(tables, policy.complete, policy.empty)
    hidden = [set(np.flatnonzero(np.isnan(b))) for b in attack.bases]
    out = {}
    for gi, key in enumerate(attack.keys[1]):
        (district, _) = key
        narrow = attack.keys[3].index(key[:1] + ("in",))
        members = np.setdiff1d(attack.members[(1, gi)], attack.members[(3, narrow)])
        out[district] = attack.bound(hidden, members)[:2]
    return out


def _small_differences(sample) -> dict[str, int]:
    """Per district, respondents in the wide filter and not the narrow one (who answered)."""
    data = sample["survey"].data
    answered = data[QUESTION].notna() & data["gender"].astype(str).eq("Describe another way")
    counts = data.loc[answered, "district"].astype(str).value_counts()
    return {d: int(n) for d, n in counts.items() if 0 < n < 10}


@pytest.mark.parametrize("weighting", ["Unweighted", "Weighted"])
def test_attack_1_filter_differencing_recovers_nothing(sample, weighting, monkeypatch):
    """What Explore shows and what its CSV and Excel downloads hold (every answer's count
    and base), for the view by district and two filtered views."""
    small = _small_differences(sample)
    assert small.get("Fenland") == 1, "the sample's Fenland has one such child"
    makers = recording_downloads(monkeypatch)
    at = _run("app_pages/explore.py")
    at.selectbox(key="explore_question").set_value(QUESTION)
    at.radio(key="explore_weighting").set_value(weighting).run()
    views = []
    for chosen in ([], WIDE, NARROW):
        if chosen:
            at.multiselect(key="explore_filter_gender").set_value(chosen).run()
            no_exception(at)
        screen = _bases(_table(at, "District"), "District")
        csv, excel = _downloaded(downloads(at, makers), "explore-table")
        _same_figures(screen, csv, excel)
        views.append(csv)
    shown = [b for view in views for b in view["base"] if not np.isnan(b)]
    assert min(shown) >= 10
    assert all((view["n"] < view["base"]).any() for view in views), "answer counts added"
    tables, policy = _filter_attack(*views, min_base=10)
    result = yl.audit(tables, policy=policy)
    assert result.ok, str(result)
    for district, (low, high) in _difference_bounds(tables, policy).items():
        if district in small:
            assert not bounded(low, high, 10), (district, low, high)


def _old_view(design, book, chosen: list[str], known: str) -> pd.DataFrame:
    """A view protected on its own (the old path): its bases as the screen shows them, or
    every answer's count and base as its downloads hold them."""
    domain = design.subset(filter_mask(design.data, {"gender": chosen})) if chosen else design
    tab = yl.crosstab(domain, QUESTION, by="district", min_base=10, codebook=book)
    if known == "bases":
        return _answers(_bases(display_table(tab.table, ["district"]), "District"))
    rows = tab.table[["district", "category", "n", "base"]].astype({"n": float, "base": float})
    return rows.assign(district=rows["district"].astype(str))


@pytest.mark.parametrize("known", ["bases", "counts"])
def test_attack_1_control_views_protected_one_by_one_give_the_child_away(sample, known):
    views = [_old_view(sample["design"], sample["book"], c, known) for c in ([], WIDE, NARROW)]
    tables, policy = _filter_attack(*views, min_base=10)
    assert not yl.audit(tables, policy=policy).ok
    low, high = _difference_bounds(tables, policy)["Fenland"]
    assert low == high == _small_differences(sample)["Fenland"]


def _overview_downloads(at: AppTest, makers, key: str, screen: pd.DataFrame) -> list:
    """What an Overview table's downloads hold: the CSV is the table as shown (checked
    equal to the screen); the Excel file is the table as shown too, or a briefing of the
    crosstabs behind it, whose tables are returned for the attacker."""
    files = downloads(make_briefing(at, key), makers)
    shown = [[figure(v) for v in row] for row in screen.astype(str).to_numpy()]
    csv = csv_table(files[f"{key}-csv"])
    assert [[figure(v) for v in row] for row in csv.to_numpy()] == shown, key
    tables = briefing_tables(files[f"{key}-xlsx"])
    if not tables:
        excel = excel_table(files[f"{key}-xlsx"], "Indicator")
        assert [[figure(v) for v in row] for row in excel.to_numpy()] == shown, key
    return tables


def _overview_and_map(at: AppTest, districts: list[str], makers):
    """Each district's base on the Overview, the Map's rows (every answer's count and base,
    from its downloads, agreeing with the screen), and the tables of the Overview's
    downloads."""
    county = _table(at, "Indicator", "%")
    extra = _overview_downloads(at, makers, "overview-table", county)
    (row,) = county[county["Indicator"] == AFTER_DARK].astype(str).values.tolist()
    overview = {ALL: _number(row[-1])}
    for district in districts:
        at.selectbox(key="overview_group").set_value(district).run()
        no_exception(at)
        table = _table(at, "Indicator", f"{district} %")
        extra += _overview_downloads(at, makers, "overview-compare", table)
        row = table[table["Indicator"] == AFTER_DARK].iloc[0]
        overview[district] = _number(row["Answered (base)"])
    at.switch_page("app_pages/map.py").run()
    no_exception(at)
    screen = _bases(_table(at, "District"), "District")
    csv, excel = _downloaded(downloads(at, makers), "map-table")
    _same_figures(screen, csv, excel)
    return overview, csv, extra


def _pages_attack(overview: dict, on_map: pd.DataFrame, min_base: int, extra=()):
    tables = [
        _view_table("safe_dark", ("district",), on_map),
        _published("safe_dark", ("district",), list(overview.items())),
        *extra,
    ]
    return tables, DisclosurePolicy(min_base=min_base, complete=("district",))


def test_attack_4_overview_and_map_agree_and_cannot_be_combined(sample, monkeypatch):
    """The Overview's comparisons and the Map, on screen and in their downloads."""
    districts = [str(d) for d in sample["survey"].data["district"].cat.categories]
    makers = recording_downloads(monkeypatch)
    offer(monkeypatch, 125)
    at = _run(min_base=125)
    overview, on_map, extra = _overview_and_map(at, districts, makers)
    hidden_overview = {d for d, b in overview.items() if np.isnan(b)}
    first = on_map.drop_duplicates("district")
    hidden_map = set(first.loc[first["base"].isna(), "district"])
    assert hidden_overview == hidden_map
    assert hidden_map, "at minimum base 125 the sample hides districts"
    for table in extra:  # the Overview's briefings hide the same districts
        if table.question == "safe_dark" and table.by == ("district",):
            groups = table.groups()
            hidden = set(groups.loc[groups["base"].isna(), "district"])
            assert hidden in (set(), hidden_map), hidden
    tables, policy = _pages_attack(overview, on_map, 125, extra)
    result = yl.audit(tables, policy=policy)
    assert result.ok, str(result)


def test_attack_4_control_old_overview_with_the_map_gives_a_district_away(sample):
    design, book = sample["design"], sample["book"]
    districts = [str(d) for d in sample["survey"].data["district"].cat.categories]
    tab = yl.crosstab(design, "safe_dark", by="district", min_base=125, codebook=book)
    on_map = tab.table[["district", "category", "n", "base"]].astype({"n": float, "base": float})
    on_map = on_map.assign(district=on_map["district"].astype(str))
    overview = {ALL: float(on_map.loc[on_map["district"] == ALL, "base"].iloc[0])}
    for district in districts:
        compared = headline_comparison(design, "district", district, min_base=125)
        row = compared[compared["indicator"] == AFTER_DARK].iloc[0]
        overview[district] = np.nan if row["suppressed"] else float(row["base"])
    tables, policy = _pages_attack(overview, on_map, 125)
    result = yl.audit(tables, policy=policy)
    assert not result.ok
    assert any(v.high < 125 for v in result.violations)


@pytest.fixture(scope="module")
def publication(sample) -> Publication:
    columns = [c for c in BREAKDOWNS.values() if c in sample["survey"].data]
    return publish(
        sample["design"], QUESTION, columns=columns, min_base=10, codebook=sample["book"]
    )


def test_publication_never_hides_all_above_the_threshold(publication):
    """The Overview's county cards rely on it (they do not wait for the publication)."""
    for table in publication.reasons.values():
        assert table[tuple(ALL for _ in next(iter(table)))] == ""


@pytest.mark.parametrize("column", ["gender", "age_band", "school_year", "district"])
def test_every_shown_filtered_group_follows_from_the_publication(sample, publication, column):
    """Property: a group a filtered view shows is a sum of shown groups of the publication,
    or a shown line total less shown groups, so it adds nothing a reader could difference."""
    data = sample["survey"].data
    answered = data[data[QUESTION].notna()]
    levels = publication.levels[column]
    rng = np.random.default_rng(1)
    for _ in range(6):
        chosen = tuple(v for v in levels if rng.random() < 0.6) or levels[:1]
        inside = answered[answered[column].astype(str).isin(chosen)]
        for by in ("district", "age_band"):
            if by == column:
                continue
            counts = inside[by].astype(str).value_counts()
            groups = pd.DataFrame({by: [ALL, *counts.index]})
            bases = [len(inside), *counts.to_numpy()]
            reasons = view_reasons(publication, [by], {column: chosen}, groups, bases)
            joint = publication.table([by, column])
            for key, base, reason in zip(groups[by], bases, reasons, strict=True):
                if reason:
                    continue
                assert base >= 10
                if key == ALL:
                    continue
                parts = [
                    joint.get(tuple(_ordered(publication, {by: key, column: v}))) for v in chosen
                ]
                rest = [
                    joint.get(tuple(_ordered(publication, {by: key, column: v})))
                    for v in levels
                    if v not in chosen
                ]
                summed = all(p in ("", None) for p in parts)
                differenced = publication.reason([by], [key]) == "" and all(
                    p in ("", None) for p in rest
                )
                assert summed or (differenced and column in publication.complete), (key, chosen)


def _ordered(publication: Publication, values: dict[str, str]) -> list[str]:
    return [values[c] for c in publication.order if c in values]


def _all_approved(sample) -> pd.DataFrame:
    """Every candidate quote of the sample approved (50 per theme x group pool at most)."""
    data, book = sample["survey"].data, sample["book"]
    frame = book.question("safer_text").coding_frame
    review = candidates(
        data, "safer_text", id_column=book.id_column, coding_frame=frame, per_pool=50
    )
    review["decision"] = "approve"
    return record_approvals(review, None, data, "safer_text", id_column=book.id_column)


def test_attack_6_quotes_only_for_theme_counts_the_page_shows(sample, tmp_path):
    """On the Safer page by gender, a theme is offered for a group's quotes only where the
    page's theme counts show that group and theme with at least min_base mentions."""
    from listening.publish.approvals import write_approvals

    at = _run("app_pages/safer.py")
    at.radio(key="safer_by").set_value("Gender").run()
    upload = write_approvals(_all_approved(sample), tmp_path / "approvals.csv").read_bytes()
    at.file_uploader(key="approvals-upload-safer_text").set_value(
        ("approvals.csv", upload, "text/csv")
    )
    at.run()
    no_exception(at)
    counts = _table(at, "Gender", "Theme", "Mentions")
    shown = {
        (g, t)
        for g, t, n in zip(counts["Gender"], counts["Theme"], counts["Mentions"], strict=True)
        if n != "[c]" and _number(n) >= 10
    }
    offered = 0
    for group in at.selectbox(key="quotes-group-safer_text").options:
        at.selectbox(key="quotes-group-safer_text").set_value(group).run()
        for theme in at.selectbox(key="quotes-theme-safer_text").options:
            if theme == "Any theme":
                continue
            at.selectbox(key="quotes-theme-safer_text").set_value(theme).run()
            if at.get("text"):  # quotes shown for this group and theme
                offered += 1
                assert (group, theme) in shown, (group, theme)
    assert offered


def test_attack_6_control_approved_quotes_alone_confirm_hidden_counts(sample):
    """Without the page's counts, approved quotes exist for groups and themes whose count
    the page hides ([c]): offering them would tell a reader the hidden count is large."""
    data, book = sample["survey"].data, sample["book"]
    frame = book.question("safer_text").coding_frame
    counts = yl.theme_counts(data, "safer_text", frame, by="gender", min_base=10)
    quotes = publishable(
        _all_approved(sample),
        data,
        "safer_text",
        id_column=book.id_column,
        coding_frame=frame,
        by="gender",
        min_base=10,
    )
    table = counts.assign(gender=counts["gender"].astype(str))
    hidden = table[table["suppressed"]][["gender", "theme"]]
    leaking = quotes.merge(hidden, left_on=["group", "theme"], right_on=["gender", "theme"])
    assert len(leaking)
    kept = consistent_quotes(quotes, counts, "gender", 10)
    assert not len(kept.merge(hidden, left_on=["group", "theme"], right_on=["gender", "theme"]))
