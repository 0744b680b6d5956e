"""The explorer's Safer page with free text holding personal details.

A survey is uploaded whose written answers hold names, phone numbers,
postcodes and the rest (answers of the labelled corpus). Without approvals
the page shows theme counts only and says how to add quotes; no answer and no
personal detail reaches it. With an approvals file uploaded, exactly the
approved quotes are shown, and an approval whose answer has changed since is
not.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from explorer_reading import offer
from streamlit.testing.v1 import AppTest

from listening.explorer.quotes import NO_QUOTES_MESSAGE
from listening.ingest.codebook import load_codebook
from listening.paths import SAMPLE_DIR
from listening.publish.approvals import candidates, record_approvals, text_hash, write_approvals
from listening.publish.redact import identifier_patterns

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
SAFER = "app_pages/safer.py"
CORPUS = Path(__file__).parent / "pii_corpus" / "with_pii.jsonl"


@pytest.fixture(scope="module")
def upload() -> dict:
    """The sample's first 900 rows, 200 of them answering with a corpus answer plus a theme."""
    records = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines()]
    frame = pd.read_csv(SAMPLE_DIR / "responses.csv", dtype=str, keep_default_na=False)
    frame = frame.iloc[:900].copy()
    rows = frame.index[::4][:200]
    answers = [f"more police and lights. {records[i % len(records)]['text']}" for i in range(200)]
    frame.loc[rows, "safer_text"] = answers
    secrets = {
        s["text"]
        for r in records
        for s in r["pii"]
        if len(s["text"]) >= 5 and s["category"] not in ("school", "identifier")
    }
    return {"frame": frame, "answers": answers, "secrets": secrets}


def _run(frame: pd.DataFrame, approvals: bytes | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=240)
    at.run()
    at.radio(key="data_source").set_value("Upload a survey").run()
    survey = frame.to_csv(index=False).encode()
    codebook = (SAMPLE_DIR / "codebook.yaml").read_bytes()
    at.file_uploader(key="upload_survey").set_value(("pii.csv", survey, "text/csv"))
    at.file_uploader(key="upload_codebook").set_value(("book.yaml", codebook, "text/yaml"))
    at.run()
    at.switch_page(SAFER).run()
    if approvals is not None:
        upload = ("approvals.csv", approvals, "text/csv")
        at.file_uploader(key="approvals-upload-safer_text").set_value(upload)
        at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert not at.main.error, [e.value for e in at.main.error]
    return at


def _shown(at: AppTest) -> str:
    parts: list[str] = []
    for kind in ("markdown", "caption", "info", "warning", "success", "text", "error"):
        parts += [str(e.value) for e in at.get(kind)]
    parts += [str(e.value) for e in [*at.title, *at.subheader]]
    parts += [f.value.to_csv() for f in at.dataframe]
    parts += [chart.proto.spec for chart in at.get("plotly_chart")]
    for widget in at.get("selectbox"):
        parts += [str(o) for o in widget.options]
    return "\n".join(parts)


def _approvals(frame: pd.DataFrame, approve: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A reviewed draw: the first ``approve`` candidates approved, the rest rejected."""
    book = load_codebook()
    question = book.question("safer_text")
    options = {
        "schools": book.schools,
        "identifiers": identifier_patterns([*frame[book.id_column], *frame["school"]]),
    }
    review = candidates(
        frame,
        "safer_text",
        id_column=book.id_column,
        coding_frame=question.coding_frame,
        per_pool=4,
        **options,
    )
    review["decision"] = ["approve"] * approve + ["reject"] * (len(review) - approve)
    approved = record_approvals(review, None, frame, "safer_text", id_column=book.id_column)
    return review, approved


def _csv(approvals: pd.DataFrame, tmp_path: Path) -> bytes:
    return write_approvals(approvals, tmp_path / "approvals.csv").read_bytes()


def test_without_approvals_the_page_shows_counts_only_and_no_pii(upload):
    at = _run(upload["frame"])
    shown = _shown(at)
    assert any(NO_QUOTES_MESSAGE == i.value for i in at.info)
    assert not at.get("text")
    assert "Police presence" in shown  # the theme counts are there
    leaks = [s for s in upload["secrets"] if s in shown]
    assert not leaks
    assert not [a for a in upload["answers"] if a in shown]


def test_approved_quotes_and_only_those_are_shown(upload, tmp_path):
    review, approved = _approvals(upload["frame"], approve=3)
    assert len(review) > 3 and len(approved) == 3
    at = _run(upload["frame"], _csv(approved, tmp_path))
    quotes = [t.value for t in at.get("text")]
    assert sorted(quotes) == sorted(approved["quote"])
    shown = _shown(at)
    for quote in review.loc[review["decision"] == "reject", "quote"]:
        assert quote not in quotes
    assert not [s for s in upload["secrets"] if s in shown]
    assert not [a for a in upload["answers"] if a in shown]


def test_an_approval_of_a_changed_answer_is_not_shown(upload, tmp_path):
    _, approved = _approvals(upload["frame"], approve=2)
    frame = upload["frame"].copy()
    changed = approved["respondent_id"].iloc[0]
    frame.loc[frame["respondent_id"] == changed, "safer_text"] = "more police please"
    assert text_hash("more police please") != approved["text_hash"].iloc[0]
    at = _run(frame, _csv(approved, tmp_path))
    assert [t.value for t in at.get("text")] == [approved["quote"].iloc[1]]


def test_quotes_need_a_pool_of_min_base(upload, tmp_path, monkeypatch):
    _, approved = _approvals(upload["frame"], approve=2)
    offer(monkeypatch, 10_000)
    at = _run(upload["frame"], _csv(approved, tmp_path))
    at.selectbox(key="min_base").set_value(10_000).run()
    assert not at.get("text")
    assert any("None of the 2 approved quotes can be shown" in i.value for i in at.info)


def test_a_broken_approvals_file_is_explained():
    at = AppTest.from_file(APP, default_timeout=240)
    at.run()
    at.switch_page(SAFER).run()
    at.file_uploader(key="approvals-upload-safer_text").set_value(
        ("approvals.csv", b"respondent_id\nYL1\n", "text/csv")
    )
    at.run()
    assert any("lacks the columns" in e.value for e in at.main.error)
    assert not at.get("text")
