"""The "Change since the last survey" page in Streamlit's AppTest, and its pure functions.

What the page shows equals :func:`listening.change` on the two waves; a change is
worded as one only where ``yl.change`` finds it significant (Holm, 95%); a group
hidden in one wave shows ``[c]`` in the table and is in neither the chart nor the
download.
"""

from __future__ import annotations

import html
import io

import numpy as np
import pandas as pd
import plotly.io as pio
import pytest
from streamlit.testing.v1 import AppTest

import listening as yl
from listening.explorer.change import (
    change_download,
    change_sentences,
    dumbbell_chart,
    is_significant,
)
from listening.explorer.escape import WORD_JOINER, escape_markdown
from listening.explorer.views import HEADLINES
from listening.paths import SAMPLE_DIR

APP = str(SAMPLE_DIR.parent / "app.py")
PAGE = "app_pages/change.py"
WAVE = SAMPLE_DIR / "wave2024"
DARK = HEADLINES[1]  # Feel safe in their local area after dark
FIGURE_COLUMNS = ("2024 %", "2024 95% interval", "2025 %", "2025 95% interval")


def _raked(survey) -> yl.SurveyDesign:
    return yl.SurveyDesign.from_survey(survey).rake(yl.load_margins(survey))


@pytest.fixture(scope="module")
def after() -> yl.SurveyDesign:
    return _raked(yl.load_sample())


def _page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=300)
    at.run()
    at.switch_page(PAGE).run()
    _no_exception(at)
    return at


def _no_exception(at: AppTest) -> None:
    assert not at.exception, [e.message for e in at.exception]
    assert not at.main.error, [e.value for e in at.main.error]


def _upload_before(at: AppTest, responses: bytes) -> AppTest:
    at.radio(key="change_before").set_value("Upload the earlier wave").run()
    at.file_uploader(key="change_upload_survey").set_value(("wave.csv", responses, "text/csv"))
    book = (WAVE / "codebook.yaml").read_bytes()
    at.file_uploader(key="change_upload_codebook").set_value(("book.yaml", book, "text/yaml"))
    mapping = (WAVE / "harmonise.yaml").read_bytes()
    at.file_uploader(key="change_upload_harmonise").set_value(("map.yaml", mapping, "text/yaml"))
    return at.run()


def _pick(at: AppTest, headline) -> AppTest:
    return at.selectbox(key="change_indicator").set_value(headline).run()


def _table(at: AppTest, first: str) -> pd.DataFrame:
    for frame in at.dataframe:
        if list(frame.value.columns)[:1] == [first]:
            return frame.value.reset_index(drop=True)
    raise AssertionError(f"no table starting with {first!r}")


def _lines(at: AppTest) -> list[str]:
    text = "\n".join(m.value for m in at.markdown)
    plain = html.unescape(text).replace(WORD_JOINER, "")
    return [line[2:] for line in plain.splitlines() if line.startswith("- ")]


def _responses(change) -> bytes:
    """The bundled 2024 wave's export, changed by ``change(frame)``, as CSV bytes."""
    frame = pd.read_csv(WAVE / "responses.csv", dtype=str, keep_default_na=False)
    return change(frame).to_csv(index=False).encode("utf-8")


def _read(responses: bytes):
    book = yl.load_codebook(WAVE / "codebook.yaml")
    return yl.read_survey(responses, book, limits=yl.UPLOAD_LIMITS, name="wave.csv")


def _design(survey) -> yl.SurveyDesign:
    try:
        return _raked(survey)
    except yl.ListeningError:  # the page compares unweighted then
        return yl.SurveyDesign.from_survey(survey)


def test_page_shows_each_headline_then_and_now_as_yl_change(after):
    before = _raked(yl.load_sample_2024())
    at = _page()
    table = _table(at, "Indicator").set_index("Indicator")
    harmonise = yl.load_harmonisation()
    compared = 0
    for headline in HEADLINES:
        row = table.loc[headline.label]
        if headline.question == "safe_online":  # added in 2025
            assert (row[list(FIGURE_COLUMNS)] == "[x]").all()
            assert row["Significance"].startswith("not compared")
            continue
        out = yl.change(after, before, headline.question, harmonise=harmonise)
        expected = out[out["category"] == headline.category].iloc[0]
        assert row["2024 %"] == f"{expected['estimate_before'] * 100:.1f}", headline.label
        assert row["2025 %"] == f"{expected['estimate_after'] * 100:.1f}", headline.label
        assert row["Change (points)"] == f"{expected['difference'] * 100:+.1f}"
        assert row["Change 95% interval"] == (
            f"{expected['ci_low'] * 100:+.1f} to {expected['ci_high'] * 100:+.1f}"
        )
        assert row["2024 answered"] == f"{int(expected['base_before']):,}"
        low, high = (float(x) for x in row["2024 95% interval"].split(" to "))
        assert low <= float(row["2024 %"]) <= high
        compared += 1
    assert compared == len(HEADLINES) - 1
    assert len(at.get("plotly_chart")) == 1


def test_sentences_claim_a_change_exactly_where_yl_change_is_significant(after):
    def darker_peterborough(frame: pd.DataFrame) -> pd.DataFrame:
        rows = frame.index[frame["district"] == "Peterborough"]
        frame.loc[rows[: int(len(rows) * 0.6)], "safe_dark"] = "Very unsafe"
        return frame

    responses = _responses(darker_peterborough)
    at = _pick(_upload_before(_page(), responses), DARK)
    _no_exception(at)
    before = _design(_read(responses))
    out = yl.change(after, before, "safe_dark", by="district", harmonise=yl.load_harmonisation())
    rows = out[out["category"] == "Feel safe"]
    lines = [line for line in _lines(at) if line.startswith(DARK.label + ":")]
    claims = []
    for row in rows.itertuples(index=False):
        (line,) = [x for x in lines if f" in {row.district} (" in x]
        claimed = "significant at 95%" in line
        assert claimed == (row.p_holm < 0.05), line
        if claimed:
            assert f": {'up' if row.difference > 0 else 'down'} " in line, line
        else:
            assert "no significant change" in line, line
        claims.append(claimed)
    assert any(claims) and not all(claims), claims  # both kinds of sentence were checked


def test_a_group_hidden_in_one_wave_shows_c_and_is_not_in_the_chart_or_download(after, monkeypatch):
    import streamlit as st

    def few_in_fenland(frame: pd.DataFrame) -> pd.DataFrame:
        fenland = frame["district"] == "Fenland"
        return frame[~fenland | (fenland.cumsum() <= 6)]

    responses = _responses(few_in_fenland)
    downloads: dict[str, bytes] = {}
    real = st.download_button

    def recording(label, data=None, *args, **kwargs):
        if kwargs.get("key") == "change-download":
            downloads["csv"] = data() if callable(data) else data  # deferred: made on click
        return real(label, data, *args, **kwargs)

    monkeypatch.setattr(st, "download_button", recording)
    at = _pick(_upload_before(_page(), responses), DARK)
    _no_exception(at)
    # Fenland is published in the later wave's own table, hidden in the earlier one.
    own = yl.crosstab(after, "safe_dark", by="district").table
    assert not own.loc[own["district"] == "Fenland", "suppressed"].any()
    before = _design(_read(responses))
    harmonise = yl.load_harmonisation()
    published = yl.change_table(after, before, "safe_dark", by="district", harmonise=harmonise)
    reason = published.loc[published["district"] == "Fenland", "reason"].iloc[0]
    assert reason == "2024: threshold"
    table = _table(at, "District").set_index("District")
    figures = table.drop(columns="Significance")
    assert (figures.loc["Fenland"] == "[c]").all()
    assert table.loc["Fenland", "Significance"].startswith("[c]")
    assert (figures.loc["Huntingdonshire"] != "[c]").all()  # a shown group, as a control
    (fig,) = [pio.from_json(chart.proto.spec) for chart in at.get("plotly_chart")]
    ticks = list(fig.layout.yaxis.ticktext)
    drawn = {
        ticks[round(y)] for trace in fig.data for y in trace.y if trace.mode in ("markers", "lines")
    }
    assert "Fenland" in ticks and "Fenland" not in drawn and "Huntingdonshire" in drawn
    assert any(
        a.text.startswith("[c]") and ticks[round(a.y)] == "Fenland" for a in fig.layout.annotations
    )
    csv = pd.read_csv(io.BytesIO(downloads["csv"]))
    assert "Fenland" not in set(csv["district"]) and "Huntingdonshire" in set(csv["district"])
    assert "Fenland" not in downloads["csv"].decode("utf-8")


def test_the_bundled_2024_wave_uploaded_as_xlsx_gives_the_same_page():
    at = _page()
    bundled = _table(at, "Indicator")
    frame = pd.read_csv(WAVE / "responses.csv", dtype=str, keep_default_na=False)
    workbook = io.BytesIO()
    frame.to_excel(workbook, index=False)
    at.radio(key="change_before").set_value("Upload the earlier wave").run()
    sheet = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    at.file_uploader(key="change_upload_survey").set_value(
        ("wave.xlsx", workbook.getvalue(), sheet)
    )
    book = (WAVE / "codebook.yaml").read_bytes()
    at.file_uploader(key="change_upload_codebook").set_value(("book.yaml", book, "text/yaml"))
    mapping = (WAVE / "harmonise.yaml").read_bytes()
    at.file_uploader(key="change_upload_harmonise").set_value(("map.yaml", mapping, "text/yaml"))
    at.run()
    _no_exception(at)
    assert any(escape_markdown("Uploaded: wave.xlsx") in c.value for c in at.caption)
    pd.testing.assert_frame_equal(_table(at, "Indicator"), bundled)


def test_errors_in_the_earlier_wave_are_said_in_words_at_the_top():
    at = _page()
    at.radio(key="change_before").set_value("Upload the earlier wave").run()
    assert any("Upload the earlier wave" in i.value for i in at.main.info)
    at.file_uploader(key="change_upload_survey").set_value(("w.csv", b"a,b\n1,2\n", "text/csv"))
    at.file_uploader(key="change_upload_codebook").set_value(("b.yaml", b"not: [ok", "text/yaml"))
    at.run()
    assert not at.exception
    errors = [e.value for e in at.main.error]
    assert errors and "The earlier wave cannot be used" in errors[0]
    assert "Traceback" not in errors[0]
    assert not at.dataframe and not at.get("plotly_chart")


# The page's pure functions ---------------------------------------------------------------


def _rows(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    before = rng.uniform(0.05, 0.95, n)
    difference = rng.uniform(-0.2, 0.2, n)
    p = rng.choice([0.001, 0.03, 0.049, 0.05, 0.2, 0.9, np.nan], n)
    hidden = rng.random(n) < 0.3
    frame = pd.DataFrame(
        {
            "indicator": "Safe",
            "category": "Feel safe",
            "group": [f"Group {chr(65 + i % 26)}{chr(65 + i // 26)}" for i in range(n)],
            "estimate_before": before,
            "ci_low_before": before - 0.05,
            "ci_high_before": before + 0.05,
            "estimate_after": before + difference,
            "ci_low_after": before + difference - 0.05,
            "ci_high_after": before + difference + 0.05,
            "difference": difference,
            "ci_low": difference - 0.04,
            "ci_high": difference + 0.04,
            "p_holm": p,
            "base_before": rng.integers(10, 400, n),
            "base_after": rng.integers(10, 400, n),
            "reason": np.where(hidden, "2024: threshold", ""),
            "comparable": True,
            "note": "",
        }
    )
    figures = [c for c in frame.columns if c.startswith(("estimate", "ci_", "base", "diff"))]
    frame[figures] = frame[figures].astype(float)
    frame.loc[hidden, [*figures, "p_holm"]] = np.nan
    return frame


@pytest.mark.parametrize("seed", range(5))
def test_a_sentence_claims_change_only_when_significant(seed):
    frame = _rows(40, seed)
    lines = change_sentences(frame, "2024", "2025")
    assert len(lines) == len(frame)
    for row, line in zip(frame.itertuples(index=False), lines, strict=True):
        assert ("significant at 95%" in line) == is_significant(row.p_holm), line
        if row.reason:
            assert line.endswith("too few answers in 2024.") and "[c]" in line
            assert not any(ch.isdigit() for ch in line.replace("2024", "")), line
        elif is_significant(row.p_holm):
            assert (" up " in line) == (row.difference > 0), line
        else:
            assert "no significant change" in line and " up " not in line, line


@pytest.mark.parametrize("seed", range(5))
def test_hidden_groups_are_in_neither_the_chart_nor_the_download(seed):
    frame = _rows(30, seed)
    hidden = set(frame.loc[frame["reason"] != "", "group"])
    assert hidden  # the seeds hide some groups
    download = change_download(frame, "2024", "2025", "district")
    assert set(download["district"]) == set(frame["group"]) - hidden
    fig = dumbbell_chart(frame, "2024", "2025")
    ticks = list(fig.layout.yaxis.ticktext)
    drawn = {ticks[round(y)] for trace in fig.data for y in trace.y}
    assert drawn == set(frame["group"]) - hidden
    noted = {ticks[round(a.y)] for a in fig.layout.annotations if a.text.startswith("[c]")}
    assert noted == hidden
    markers = [t for t in fig.data if t.mode == "markers"]
    plotted = np.sort(np.asarray(markers[1].x))
    expected = np.sort(frame.loc[frame["reason"] == "", "estimate_after"].to_numpy() * 100)
    assert plotted == pytest.approx(expected)


def test_an_uploaded_earlier_wave_stays_in_its_session():
    import gc
    import uuid
    import weakref

    phrase = f"the park by zq{uuid.uuid4().hex}"

    def marked(frame: pd.DataFrame) -> pd.DataFrame:
        frame.loc[frame.index[:5], "safer_text"] = phrase
        return frame

    at = _upload_before(_page(), _responses(marked))
    _no_exception(at)
    held = at.session_state["change_before_wave"][1][1]  # the earlier wave's designs
    assert (held.unweighted.data["safer_text"].astype(str) == phrase).any()
    ref = weakref.ref(held)
    del held, at
    gc.collect()
    assert ref() is None  # no cache outside the session kept the upload's designs
