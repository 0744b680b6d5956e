"""Quotes only after review: the round trip export, approve, publish, with the CLI.

``listening quotes DATA --out review.csv`` writes candidates; a reviewer fills
in decisions; ``listening quotes DATA --approve review.csv --approvals
approvals.csv`` records them; only those approvals are published, and only
while the answer is unchanged and its pool has at least ``min_base`` answers.
"""

from __future__ import annotations

import pandas as pd
import pytest

import listening as yl
from listening.cli import main
from listening.errors import ReviewError
from listening.ingest.codebook import load_codebook
from listening.paths import SAMPLE_DIR
from listening.publish.approvals import (
    APPROVAL_COLUMNS,
    REVIEW_COLUMNS,
    candidates,
    publishable,
    read_approvals,
    read_review,
    record_approvals,
    redaction_options,
    text_hash,
)
from listening.publish.freetext import code_themes
from listening.publish.redact import find_pii

SAMPLE = SAMPLE_DIR / "responses.csv"
BOOK = load_codebook()
FRAME = BOOK.question("safer_text").coding_frame


@pytest.fixture(scope="module")
def sample() -> pd.DataFrame:
    """The sample as read (district names, not codes), text as strings."""
    data = yl.load_sample().data.copy()
    data["safer_text"] = data["safer_text"].astype("string").fillna("")
    data["district"] = data["district"].astype(str)
    return data


@pytest.fixture
def review_file(tmp_path, capsys):
    out = tmp_path / "review.csv"
    assert main(["quotes", str(SAMPLE), "--out", str(out), "--per-pool", "3"]) == 0
    assert "keep it private" in capsys.readouterr().out
    return out


def _decide(path, decisions: dict[int, tuple[str, str]]) -> pd.DataFrame:
    review = pd.read_csv(path, dtype=str, keep_default_na=False)
    for row, (decision, edited) in decisions.items():
        review.loc[row, ["decision", "edited_quote"]] = [decision, edited]
    review.to_csv(path, index=False)
    return review


def test_candidates_are_redacted_marked_and_from_big_pools(review_file, sample):
    review = read_review(review_file)
    assert list(review.columns) == list(REVIEW_COLUMNS)
    assert len(review) and (review["decision"] == "").all()
    assert (review["pool"].astype(int) >= 10).all()
    themes = code_themes(sample["safer_text"].astype("string").str.strip(), FRAME)
    by_id = sample.set_index("respondent_id")
    for row in review.itertuples():
        original = by_id.loc[row.respondent_id, "safer_text"].strip()
        assert row.original == original and row.text_hash == text_hash(original)
        assert by_id.loc[row.respondent_id, "district"] == row.group
        assert themes.loc[sample.index[sample["respondent_id"] == row.respondent_id][0], row.theme]
        for removed in filter(None, row.removed.split("; ")):
            _, text = removed.split(": ", 1)
            assert text not in row.quote
    assert (review["removed"] != "").any()  # the sample holds planted details
    options = redaction_options(BOOK, sample)
    assert all(not find_pii(q, **options) for q in review["quote"])


def test_round_trip_approve_edit_reject(review_file, sample, tmp_path, capsys):
    review = _decide(
        review_file,
        {
            0: ("approve", ""),
            1: ("Approve", ""),
            2: ("edit", "more lights on the path please"),
            3: ("reject", ""),
        },
    )
    approvals = tmp_path / "approvals.csv"
    args = ["quotes", str(SAMPLE), "--approve", str(review_file), "--approvals", str(approvals)]
    assert main(args) == 0
    assert "3 approved quotes" in capsys.readouterr().out
    saved = read_approvals(approvals)
    assert list(saved.columns) == list(APPROVAL_COLUMNS)
    assert saved["respondent_id"].tolist() == review["respondent_id"][:3].tolist()
    assert saved["quote"].tolist() == [*review["quote"][:2], "more lights on the path please"]
    published = publishable(
        saved, sample, "safer_text", id_column="respondent_id", coding_frame=FRAME, by="district"
    )
    assert sorted(published["quote"]) == sorted(saved["quote"])
    assert review["quote"][3] not in published["quote"].tolist()
    # a second review adds to the file; rejecting an approved quote withdraws it
    _decide(review_file, {0: ("reject", ""), 1: ("", ""), 2: ("", ""), 4: ("approve", "")})
    assert main(args) == 0
    again = read_approvals(approvals)
    assert sorted(again["respondent_id"]) == sorted(review["respondent_id"][[1, 2, 4]])


def test_an_edited_source_invalidates_its_approval(review_file, sample):
    review = _decide(review_file, {0: ("approve", ""), 1: ("approve", "")})
    approved = record_approvals(
        read_review(review_file), None, sample, "safer_text", id_column="respondent_id"
    )
    changed = sample.copy()
    target = changed["respondent_id"] == review["respondent_id"][0]
    changed.loc[target, "safer_text"] = changed.loc[target, "safer_text"] + " x"
    published = publishable(
        approved,
        changed,
        "safer_text",
        id_column="respondent_id",
        coding_frame=FRAME,
        by="district",
    )
    assert published["quote"].tolist() == [review["quote"][1]]
    with pytest.raises(ReviewError, match="not in the survey as reviewed"):
        record_approvals(
            read_review(review_file), None, changed, "safer_text", id_column="respondent_id"
        )


def test_quotes_follow_the_pool_threshold(sample):
    drawn = candidates(
        sample,
        "safer_text",
        id_column="respondent_id",
        coding_frame=FRAME,
        by="district",
        min_base=10,
        per_pool=50,
    )
    themes = code_themes(sample["safer_text"].astype("string").str.strip(), FRAME)
    answered = sample["safer_text"].str.strip() != ""
    for (group, theme), block in drawn.groupby(["group", "theme"]):
        pool = answered & (sample["district"] == group) & themes[theme].fillna(False)
        assert int(pool.sum()) >= 10
        assert (block["pool"] == int(pool.sum())).all()
    pools = [
        (g, t)
        for g in sample["district"].unique()
        for t in FRAME
        if 0 < int((answered & (sample["district"] == g) & themes[t].fillna(False)).sum()) < 10
    ]
    assert pools, "the sample has small pools to refuse"
    drawn_pools = set(zip(drawn["group"], drawn["theme"], strict=True))
    assert not drawn_pools & set(pools)
    review = drawn.head(4).assign(decision="approve")
    approved = record_approvals(review, None, sample, "safer_text", id_column="respondent_id")
    kept = publishable(
        approved,
        sample,
        "safer_text",
        id_column="respondent_id",
        coding_frame=FRAME,
        by="district",
        min_base=10,
    )
    assert len(kept) == 4
    pool_sizes = drawn.head(4)["pool"].astype(int)
    higher = publishable(
        approved,
        sample,
        "safer_text",
        id_column="respondent_id",
        coding_frame=FRAME,
        by="district",
        min_base=int(pool_sizes.min()) + 1,
    )
    assert len(higher) == int((pool_sizes > pool_sizes.min()).sum())
    county = publishable(  # drawn by district, shown for the county: bigger pools
        approved, sample, "safer_text", id_column="respondent_id", coding_frame=FRAME, by=None
    )
    assert sorted(county["quote"]) == sorted(kept["quote"]) and set(county["group"]) == {"All"}


@pytest.mark.parametrize(
    ("decisions", "message"),
    [
        ({0: ("yes", "")}, "row 2, column decision: 'yes' is not a decision"),
        ({1: ("edit", "")}, "row 3: decision is edit but edited_quote is blank"),
        ({0: ("edit", "ask jake smith on 07700 900123")}, "still holds personal details"),
    ],
)
def test_bad_reviews_are_refused_with_row_and_fix(
    review_file, tmp_path, capsys, decisions, message
):
    _decide(review_file, decisions)
    approvals = tmp_path / "approvals.csv"
    args = ["quotes", str(SAMPLE), "--approve", str(review_file), "--approvals", str(approvals)]
    assert main(args) == 2
    assert message in capsys.readouterr().err
    assert not approvals.exists()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--min-base", "5", "--out", "r.csv"], "below 10"),
        (["--out", "r.xlsx"], "CSV files"),
        (["--approve", "r.csv"], "needs --approvals"),
        (["--question", "safe_dark", "--out", "r.csv"], "not a free-text question"),
    ],
)
def test_bad_quote_arguments_exit_2(tmp_path, capsys, monkeypatch, extra, message):
    monkeypatch.chdir(tmp_path)
    assert main(["quotes", str(SAMPLE), *extra]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "r.csv").exists() or "--approve" in extra


def test_the_review_may_not_replace_the_survey(tmp_path, capsys):
    survey = tmp_path / "survey.csv"
    survey.write_bytes(SAMPLE.read_bytes())
    assert main(["quotes", str(survey), "--out", str(survey)]) == 2
    assert survey.read_bytes() == SAMPLE.read_bytes()


def test_round_trip_into_the_briefing_workbook(review_file, sample, tmp_path, capsys):
    import openpyxl

    review = _decide(
        review_file,
        {
            0: ("approve", ""),
            1: ("edit", "more lights [name]"),
            2: ("approve", ""),
            3: ("reject", ""),
        },
    )
    approvals = tmp_path / "approvals.csv"
    args = ["quotes", str(SAMPLE), "--approve", str(review_file), "--approvals", str(approvals)]
    assert main(args) == 0

    def quotes_sheet(survey) -> list[tuple[str, str, str]]:
        out = tmp_path / "brief.xlsx"
        brief = [
            "brief",
            str(survey),
            "--questions",
            "safe_dark",
            "--out",
            str(out),
            "--approvals",
            str(approvals),
            "--quiet",
            "--date",
            "2025-03-01",
        ]
        assert main(brief) == 0, capsys.readouterr().err
        book = openpyxl.load_workbook(out)
        contents = [row[0] for row in book["Contents"].iter_rows(values_only=True)]
        if "Quotes" not in book.sheetnames:
            return []
        assert "Quotes" in contents
        rows = list(book["Quotes"].iter_rows(values_only=True))
        header = rows.index(("Group", "Theme", "Quote"))
        return [tuple(r) for r in rows[header + 1 :]]

    expected = {
        (review["group"][i], review["theme"][i], q)
        for i, q in [(0, review["quote"][0]), (1, "more lights [name]"), (2, review["quote"][2])]
    }
    assert set(quotes_sheet(SAMPLE)) == expected
    assert review["quote"][3] not in {q for _, _, q in quotes_sheet(SAMPLE)}
    # an answer edited in the source since the review: its quote is left out
    raw = pd.read_csv(SAMPLE, dtype=str, keep_default_na=False)
    raw.loc[raw["respondent_id"] == review["respondent_id"][0], "safer_text"] = "edited since"
    changed = tmp_path / "changed.csv"
    raw.to_csv(changed, index=False)
    assert set(quotes_sheet(changed)) == expected - {
        (review["group"][0], review["theme"][0], review["quote"][0])
    }


def test_a_briefing_without_approvals_has_no_quotes(tmp_path):
    import openpyxl

    out = tmp_path / "brief.xlsx"
    assert (
        main(["brief", str(SAMPLE), "--questions", "safe_dark", "--out", str(out), "--quiet"]) == 0
    )
    assert "Quotes" not in openpyxl.load_workbook(out).sheetnames


def test_formula_like_answers_are_safe_in_the_review_file_and_read_back(tmp_path):
    from listening.publish.approvals import write_review

    data = pd.DataFrame(
        {"id": [f"R{i}" for i in range(10)], "text": ["=HYPERLINK(police)"] * 5 + ["-police"] * 5}
    )
    review = candidates(data, "text", id_column="id", coding_frame={"P": ("police",)}, per_pool=10)
    out = write_review(review, tmp_path / "review.csv")
    raw = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert all(v.startswith("'") for v in raw["original"])  # no formula when opened
    back = read_review(out)
    assert sorted(back["original"]) == sorted(data["text"])
    assert sorted(back["quote"]) == sorted(review["quote"])
