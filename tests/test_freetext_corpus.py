"""Redaction on the labelled corpus: recall by category and overall, ordinary words kept.

The corpus (``tests/pii_corpus``) was written before the code. A labelled span
counts as caught when every letter and digit in it is inside something
:func:`find_pii` found (of any category: a school's initials caught as a name
are still gone). Ordinary words are the words outside labelled spans, in both
files; a word is kept when nothing found touches it.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from listening.ingest.codebook import load_codebook
from listening.paths import SAMPLE_DIR
from listening.publish.redact import CATEGORIES, find_pii, identifier_patterns, redact

CORPUS = Path(__file__).parent / "pii_corpus"
TARGET_OVERALL = 0.95
TARGET_CATEGORY = 0.9
TARGET_KEPT = 0.95


def _load(name: str) -> list[dict]:
    lines = (CORPUS / name).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


WITH_PII = _load("with_pii.jsonl")
WITHOUT_PII = _load("without_pii.jsonl")
HOLDOUT_WITH_PII = _load("holdout_with_pii.jsonl")
HOLDOUT_WITHOUT_PII = _load("holdout_without_pii.jsonl")
SETS = {
    "main": (WITH_PII, WITHOUT_PII),
    "holdout": (HOLDOUT_WITH_PII, HOLDOUT_WITHOUT_PII),
    "all": (WITH_PII + HOLDOUT_WITH_PII, WITHOUT_PII + HOLDOUT_WITHOUT_PII),
}


def _options() -> dict:
    """What the app and the CLI pass: the codebook's schools and its id columns' shapes."""
    book = load_codebook()
    ids = pd.read_csv(SAMPLE_DIR / "responses.csv", usecols=[book.id_column, "school"], dtype=str)
    values = [*ids[book.id_column], *ids["school"]]
    return {"schools": book.schools, "identifiers": identifier_patterns(values)}


@pytest.fixture(scope="module", params=list(SETS))
def results(request) -> dict:
    with_pii, without_pii = SETS[request.param]
    options = _options()
    found = {r["id"]: find_pii(r["text"], **options) for r in with_pii + without_pii}
    caught: Counter = Counter()
    total: Counter = Counter()
    missed = []
    for record in with_pii:
        covered = _covered(found[record["id"]])
        for span in record["pii"]:
            total[span["category"]] += 1
            inside = [i for i in range(span["start"], span["end"]) if record["text"][i].isalnum()]
            if all(i in covered for i in inside):
                caught[span["category"]] += 1
            else:
                missed.append((span["category"], span["text"], record["text"]))
    words = kept = 0
    lost = []
    for record in with_pii + without_pii:
        labelled = {i for s in record["pii"] for i in range(s["start"], s["end"])}
        covered = _covered(found[record["id"]])
        for m in re.finditer(r"[^\W_]+(?:['’][^\W_]+)*", record["text"]):
            span = set(range(m.start(), m.end()))
            if span & labelled:
                continue
            words += 1
            if span & covered:
                lost.append((m.group(0), record["text"]))
            else:
                kept += 1
    return {
        "set": request.param,
        "caught": caught,
        "total": total,
        "missed": missed,
        "kept": kept,
        "words": words,
        "lost": lost,
    }


def _covered(findings) -> set[int]:
    return {i for f in findings for i in range(f.start, f.end)}


def test_corpus_is_big_enough_and_well_formed():
    assert len(WITH_PII) >= 200 and len(WITHOUT_PII) >= 100
    ids = [r["id"] for r in WITH_PII + WITHOUT_PII + HOLDOUT_WITH_PII + HOLDOUT_WITHOUT_PII]
    assert len(ids) == len(set(ids))
    for record in WITH_PII + HOLDOUT_WITH_PII:
        assert record["pii"], record
        for span in record["pii"]:
            assert record["text"][span["start"] : span["end"]] == span["text"]
            assert span["category"] in CATEGORIES or span["category"] == "identifier"
    assert all(not r["pii"] for r in WITHOUT_PII + HOLDOUT_WITHOUT_PII)


def test_recall_overall_and_by_category(results):
    caught, total = results["caught"], results["total"]
    report = {c: f"{caught[c]}/{total[c]} = {caught[c] / total[c]:.2f}" for c in sorted(total)}
    overall = sum(caught.values()) / sum(total.values())
    print(f"\n{results['set']}: recall overall {overall:.3f}; by category {report}")
    print("missed:", *results["missed"], sep="\n  ")
    assert overall >= TARGET_OVERALL, results["missed"]
    low = {c: r for c, r in report.items() if caught[c] / total[c] < TARGET_CATEGORY}
    assert not low, (low, results["missed"])


def test_ordinary_words_kept(results):
    share = results["kept"] / results["words"]
    kept, words = results["kept"], results["words"]
    print(f"\n{results['set']}: ordinary words kept {kept}/{words} = {share:.3f}")
    print("lost:", *results["lost"], sep="\n  ")
    assert share >= TARGET_KEPT, results["lost"]


def test_answers_without_pii_mostly_come_back_unchanged():
    options = _options()
    unchanged = sum(redact(r["text"], **options) == r["text"] for r in WITHOUT_PII)
    print(f"\nanswers without PII unchanged: {unchanged}/{len(WITHOUT_PII)}")
    assert unchanged >= 0.9 * len(WITHOUT_PII)
