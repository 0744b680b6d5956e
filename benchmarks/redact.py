"""Benchmark: how fast free text is redacted and candidate quotes are drawn.

Redacts every answer of the labelled corpus (``tests/pii_corpus``) and
draws review candidates from the bundled sample, printing the time per
answer and for the whole draw. Target: under 5 ms per answer once the word
lists are loaded, so a survey of 10,000 written answers redacts in under a
minute.

Usage::

    .venv/bin/python benchmarks/redact.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import listening as yl
from listening.publish.approvals import candidates, redaction_options
from listening.publish.redact import redact

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "pii_corpus"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    texts = [
        json.loads(line)["text"]
        for file in sorted(CORPUS.glob("*.jsonl"))
        for line in file.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    survey = yl.load_sample()
    options = redaction_options(survey.codebook, survey.data)
    start = time.perf_counter()
    redact(texts[0], **options)
    print(f"first call (loads word lists): {time.perf_counter() - start:.2f} s")
    for _ in range(args.repeat):
        start = time.perf_counter()
        for text in texts:
            redact(text, **options)
        per = (time.perf_counter() - start) / len(texts) * 1000
        print(f"redact: {len(texts)} answers, {per:.2f} ms per answer (target < 5 ms)")
    question = survey.codebook.question("safer_text")
    start = time.perf_counter()
    drawn = candidates(
        survey.data,
        question.name,
        id_column=survey.codebook.id_column,
        coding_frame=question.coding_frame,
        by=survey.codebook.district_column,
        **options,
    )
    print(f"candidates: {len(drawn)} drawn in {time.perf_counter() - start:.2f} s")


if __name__ == "__main__":
    main()
