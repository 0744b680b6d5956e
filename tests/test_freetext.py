"""Free text: themes follow the coding frame, counts respect min_base, answers are redacted."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from listening.ingest.codebook import load_codebook
from listening.publish.freetext import NOT_CODED, code_themes, theme_counts
from listening.publish.redact import redact

FRAME = load_codebook().question("safer_text").coding_frame


def test_themes_match_whole_words_case_and_plurals():
    texts = pd.Series(
        [
            "More LIGHTS on the path",
            "flight to spain",  # 'light' inside a word is not a keyword
            "a youth   club near me",
            "CCTV cameras",
            "nothing",
            "",
            None,
        ]
    )
    themes = code_themes(texts, FRAME)
    assert themes.loc[0, "Street lighting"]
    assert not themes.loc[1, "Street lighting"]
    assert themes.loc[2, "Youth clubs and activities"]
    assert themes.loc[3, "CCTV and cameras"]
    assert themes.loc[4, NOT_CODED] and not themes.loc[4].drop(NOT_CODED).any()
    assert themes.loc[5:].isna().all().all()


def test_not_coded_is_exactly_the_answers_with_no_theme():
    texts = pd.Series(["police and lights", "no idea", "knife crime", None, "bus"])
    themes = code_themes(texts, FRAME)
    answered = themes[NOT_CODED].notna()
    coded = themes[answered].drop(columns=NOT_CODED).astype(bool).any(axis=1)
    assert (themes.loc[answered, NOT_CODED].astype(bool) == ~coded).all()


def _answers() -> pd.DataFrame:
    texts = ["more police", "better lights", "youth club", "cctv", "nothing", "police lights"]
    rows = []
    for i in range(90):
        rows.append(
            {
                "safer_text": texts[i % len(texts)] if i % 7 else None,
                "district": ["Cambridge", "Fenland", "Ely"][i % 3] if i < 84 else "Tiny",
                "sex": "Female" if i % 2 else "Male",
            }
        )
    return pd.DataFrame(rows)


def test_theme_counts_equal_direct_counts():
    data = _answers()
    table = theme_counts(data, "safer_text", FRAME, by="district", min_base=1)
    themes = code_themes(data["safer_text"], FRAME)
    for _, row in table.iterrows():
        keep = themes[NOT_CODED].notna()
        if row["district"] != "All":
            keep &= data["district"] == row["district"]
        assert row["base"] == keep.sum()
        assert row["n"] == themes.loc[keep, row["theme"]].astype(bool).sum()
        assert row["percent"] == pytest.approx(100 * row["n"] / row["base"])
    all_rows = table[table["district"] == "All"].set_index("theme")["n"]
    groups = table[table["district"] != "All"].groupby("theme")["n"].sum()
    assert (all_rows.sort_index() == groups.sort_index()).all()


def test_theme_counts_suppress_small_groups_and_one_more():
    data = _answers()
    table = theme_counts(data, "safer_text", FRAME, by="district", min_base=10)
    bases = table.drop_duplicates("district").set_index("district")["base"]
    assert bases["Tiny"] < 10 <= bases.drop("Tiny").min()
    whole = table.groupby("district")["suppressed"].all()
    smallest_other = bases.drop(["Tiny", "All"]).idxmin()
    assert set(whole[whole].index) == {"Tiny", smallest_other}  # small group and a partner
    assert table.loc[table["suppressed"], ["n", "percent"]].isna().all().all()
    assert not table.loc[~table["suppressed"], "n"].isna().any()
    shown = table.loc[~table["suppressed"], "n"]
    assert ((shown == 0) | (shown >= 10)).all()  # no theme count from 1 to 9


def test_theme_counts_below_min_base_are_hidden_with_a_partner():
    data = _answers()
    table = theme_counts(data, "safer_text", FRAME, by="district", min_base=10)
    full = theme_counts(data, "safer_text", FRAME, by="district", min_base=1)
    for theme, rows in table.groupby("theme"):
        groups = rows[rows["district"] != "All"]
        counts = full.set_index(["theme", "district"]).loc[theme, "n"]
        small = [d for d in groups["district"] if 0 < counts[d] < 10]
        hidden = groups.loc[groups["suppressed"], "district"].tolist()
        assert set(small) <= set(hidden)
        # one hidden count could be worked out from "All" and the others
        all_shown = not rows.loc[rows["district"] == "All", "suppressed"].iloc[0]
        hidden_nonzero = [d for d in hidden if counts[d] > 0]
        assert not (all_shown and len(hidden_nonzero) == 1)


def test_theme_counts_above_a_floor_hide_everything_the_floor_hides():
    """The explorer shows themes at the visitor's minimum base with the lowest base's
    counts as ``floor``: whatever the floor hides stays hidden, whoever hid it."""
    data = _answers()
    floor = theme_counts(data, "safer_text", FRAME, by="district", min_base=10)
    alone = theme_counts(data, "safer_text", FRAME, by="district", min_base=20)
    floor.loc[~floor["suppressed"] & (floor["district"] != "All"), "suppressed"] = [
        i % 3 == 0 for i in range(int((~floor["suppressed"] & (floor["district"] != "All")).sum()))
    ]  # as if the floor hid other groups too
    above = theme_counts(data, "safer_text", FRAME, by="district", min_base=20, floor=floor)
    assert (floor["suppressed"] & ~alone["suppressed"]).any(), "the floor adds hidden rows"
    assert (above["suppressed"] == (alone["suppressed"] | floor["suppressed"])).all()
    assert above.loc[above["suppressed"], ["n", "percent"]].isna().all().all()


def test_theme_counts_rank_themes_with_not_coded_last():
    table = theme_counts(_answers(), "safer_text", FRAME, min_base=1)
    assert table["theme"].iloc[-1] == NOT_CODED
    ranked = table["n"].iloc[:-1].tolist()
    assert ranked == sorted(ranked, reverse=True)


@pytest.mark.parametrize(
    ("text", "gone"),
    [
        ("email me at jo.bloggs+x@school.sch.uk please", "jo.bloggs+x@school.sch.uk"),
        ("my number is 07700 900123", "07700 900123"),
        ("ring +44 7700 900 123 now", "7700 900 123"),
        ("landline (01223) 456789", "456789"),
        ("01733-555-123 is the youth club", "555-123"),
        ("follow @knife_free_cambs", "knife_free_cambs"),
        ("see https://example.org/page", "example.org"),
        ("kids at Parkside Community College fight", "Parkside"),
        ("St Bede's Inter-Church School is fine", "Bede"),
        ("Thomas Clarkson Academy", "Clarkson"),
        ("ask Mr Hussain about it", "Hussain"),
        ("my friend Kacper got robbed", "Kacper"),
        ("Olivia says the park is dark", "Olivia"),
        ("the bus driver Dave is rude", "Dave"),
    ],
)
def test_redact_removes_personal_details(text, gone):
    assert gone not in redact(text)


def test_redact_keeps_places_apps_and_ordinary_words():
    text = "More PCSOs in Wisbech and Cambridge. I'm scared on Snapchat in Year 9."
    assert redact(text) == text


def test_redact_uses_given_names_and_schools():
    out = redact(
        "kenzie said northfield high is rough", names=["Kenzie"], schools=["Northfield High"]
    )
    assert out == "[name] said [school] is rough"


@settings(max_examples=60, deadline=None)
@given(
    st.from_regex(r"07[0-9]{3} ?[0-9]{3} ?[0-9]{3}", fullmatch=True),
    st.sampled_from(["call ", "text me on ", "", "my mum's number "]),
)
def test_redact_leaves_no_phone_number(number, before):
    out = redact(f"{before}{number} thanks")
    assert not re.search(r"\d{3}", out)


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.characters(codec="ascii", exclude_categories=["Cc"]), max_size=60))
def test_redact_is_idempotent(text):
    once = redact(text)
    assert redact(once) == once


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("@jake.smith posts fights", "[handle] posts fights"),
        ("snap: jake_x09", "snap: [handle]"),
        ("add jake.smith.09", "add [handle]"),
        ("see instagram.com/jake_x now", "see [link] now"),
        ("ask mr smith or sir jones", "ask [teacher] or [teacher]"),
        ("i live at 14 mill road cambridge", "i live at [address] cambridge"),
        ("jake dot smith at gmail dot com", "[email]"),
        ("ring +44 (0) 7700 900 123", "ring [phone]"),
        ("ring o77oo 9oo123", "ring [phone]"),
        ("ring 07,700,900,123", "ring [phone]"),
        ("ring zero seven seven zero zero nine zero zero one two three", "ring [phone]"),
        ("kez and jonno, LIAM, Mary-Jane", "[name] and [name], [name], [name]"),
        ("J\u0430ke and m\u200ba\u200bson", "[name] and [name]"),
        ("reg AB12 CDE", "reg [vehicle]"),
    ],
)
def test_redact_the_issues_examples(text, expected):
    assert redact(text) == expected


@pytest.mark.parametrize("postcode", ["CB1 2AB", "PE13 1AA", "pe13 1aa", "CB12AB"])
@pytest.mark.parametrize("dob", ["12/03/2009", "12.03.2009", "12th March 2009"])
def test_redact_postcodes_and_dates_of_birth_in_every_form(postcode, dob):
    assert redact(f"{postcode} born {dob}") == "[postcode] born [date]"


@pytest.mark.parametrize(
    "text",
    [
        "the park by the bus station in Cambridge",
        "Peterborough, Wisbech, Ely, March, St Neots and Huntingdon",
        "i will go if they may add lights, by grace of god, mark my words",
        "Will it change? May I say no. Grace period. Mark the map.",
    ],
)
def test_redact_keeps_ordinary_words_towns_and_word_names(text):
    assert redact(text) == text


def test_redact_finds_the_codebooks_schools_by_short_name_and_initials():
    schools = load_codebook().schools
    out = redact("parkside, TCA and soham vc kids fight", schools=schools)
    assert out == "[school], [school] and [school] kids fight"
