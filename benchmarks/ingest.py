"""Benchmark: rows per second of ``read_survey`` on a large synthetic CSV export.

Writes ``make_responses(rows)`` as CSV to a temporary folder, reads it back
with the bundled codebook and prints the timing (target: at least 200,000
rows per second for 1,000,000 rows).

Usage::

    .venv/bin/python benchmarks/ingest.py [--rows 1000000] [--repeat 2]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from listening.ingest.codebook import load_codebook
from listening.ingest.survey import read_survey
from listening.ingest.synthetic import make_responses


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=2, help="timed reads; the best is kept")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    codebook = load_codebook()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "responses.csv"
        started = time.perf_counter()
        make_responses(args.rows, args.seed, codebook=codebook).to_csv(path, index=False)
        size = path.stat().st_size / 1e6
        print(f"wrote {args.rows:,} rows ({size:,.0f} MB) in {time.perf_counter() - started:.1f}s")
        timings = []
        for _ in range(args.repeat):
            started, cpu = time.perf_counter(), time.process_time()
            survey = read_survey(path, codebook)
            timings.append((time.perf_counter() - started, time.process_time() - cpu))
        assert survey.n_read == len(survey.data) + len(survey.rejected) == args.rows
    best, cpu = min(timings)
    print(f"read_survey: {len(survey.data):,} kept, {len(survey.rejected):,} rejected")
    print(f"best of {args.repeat}: {best:.2f}s = {args.rows / best:,.0f} rows/s (target 200,000)")
    # On a shared machine the wall clock includes waiting for the CPU; the process's
    # CPU time (all threads) bounds what an idle machine would take.
    print(f"CPU time of that read: {cpu:.2f}s (load average {os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    main()
