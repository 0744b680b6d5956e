"""How long the protected standard briefing takes on the bundled sample (target: under 10 s).

The standard briefing: every question ``listening brief`` covers by default, by
district, age band, gender, school year, district x age band and district x
gender, raked as ``listening brief`` rakes, minimum base 10, the codebook's
disclosure policy. Printed, each run twice (the machine may be shared):

- *estimate + protect*: ``yl.crosstabs`` for all those tables (estimates,
  tests, Rao-Scott, the linear-programming protection);
- *audit as write_briefing runs it*: ``yl.audit(..., trust_protection=True)``
  (the linear programs of tables exactly as protection left them are not run
  again; the threshold is checked);
- *full audit*: ``yl.audit`` with every linear program (what ``listening
  audit`` runs on a workbook), for reference;
- *listening brief*: the CLI end to end on the sample, Excel included;
- *protection only*: :func:`listening.publish.tables.protection` for every
  question (the hidden pattern from counts alone, what the explorer's
  ``publish()`` runs);

with wall-clock and CPU seconds. The 10 s target (estimation, protection and
audit, Excel writing not counted) is judged on CPU seconds: the machine may be
shared, and wall-clock time then counts other people's work. Last, the share of
rows and groups suppressed.

Before this work (commit a361c70, same machine, loaded): ``yl.crosstabs`` 38 s
wall (27 s CPU) and the audit 8 s, about 46 s in all (see the report of issue 10).
Before the tables were built from integer codes (commit f0597c8): ``yl.crosstabs``
about 23 s CPU; after (with the attack's own speed-ups of the same afternoon)
about 6 s CPU, the audit under 1 s.

Usage::

    .venv/bin/python benchmarks/briefing.py [--runs N]

Nothing is asserted (no timed tests).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import tempfile
import time
from pathlib import Path

import listening as yl
from listening.cli import default_questions, main
from listening.design.margins import with_unknown_sex
from listening.paths import SAMPLE_DIR
from listening.publish.disclosure import DisclosurePolicy
from listening.publish.tables import protection

BY = [
    ["district"],
    ["age_band"],
    ["gender"],
    ["school_year"],
    ["district", "age_band"],
    ["district", "gender"],
]
TARGET = 10.0


def standard_design(book: yl.Codebook) -> yl.SurveyDesign:
    """The bundled sample raked as ``listening brief`` rakes it."""
    survey = yl.load_sample()
    margins = yl.load_margins(codebook=book)
    return yl.SurveyDesign.from_survey(survey).rake(
        with_unknown_sex(margins, survey, codebook=book)
    )


def _timed(run):
    start, cpu = time.perf_counter(), time.process_time()
    out = run()
    return out, time.perf_counter() - start, time.process_time() - cpu


def _shares(tables: list) -> tuple[float, float]:
    """Shares of rows and of groups suppressed."""
    rows = sum(len(t.table) for t in tables)
    hidden_rows = sum(int(t.table["suppressed"].sum()) for t in tables)
    groups = [t.table.drop_duplicates(list(t.by)) for t in tables]
    hidden_groups = sum(int(g["suppressed"].sum()) for g in groups)
    return hidden_rows / rows, hidden_groups / sum(len(g) for g in groups)


def _brief(folder: Path) -> None:
    by = [part for b in BY for part in ("--by", "+".join(b))]
    args = ["brief", str(SAMPLE_DIR / "responses.csv"), *by, "--quiet"]
    with contextlib.redirect_stdout(io.StringIO()):
        main([*args, "--out", str(folder / "briefing.xlsx"), "--date", "2025-03-01"])


def run_once(book: yl.Codebook, design: yl.SurveyDesign, questions: list[str]) -> list:
    """One timed run; returns the tables."""
    policy = DisclosurePolicy.from_codebook(book)
    tables, wall, cpu = _timed(
        lambda: yl.crosstabs(design, questions, BY, policy=policy, codebook=book)
    )
    trusted, t_wall, t_cpu = _timed(lambda: yl.audit(tables, policy=policy, trust_protection=True))
    full, f_wall, f_cpu = _timed(lambda: yl.audit(tables, policy=policy))
    with tempfile.TemporaryDirectory() as folder:
        _, b_wall, b_cpu = _timed(lambda: _brief(Path(folder)))
    total, total_cpu = wall + t_wall, cpu + t_cpu
    verdict = "under" if total_cpu < TARGET else "OVER"
    print(f"  estimate + protect (yl.crosstabs)   {wall:6.1f} s   CPU {cpu:6.1f} s")
    print(
        f"  audit as write_briefing runs it     {t_wall:6.1f} s   CPU {t_cpu:6.1f} s  "
        f"ok={trusted.ok}"
    )
    print(
        f"  => standard briefing                {total:6.1f} s   CPU {total_cpu:6.1f} s  "
        f"(CPU {verdict} the {TARGET:g} s target)"
    )
    print(
        f"  full audit (listening audit)        {f_wall:6.1f} s   CPU {f_cpu:6.1f} s  ok={full.ok}"
    )
    print(f"  listening brief, Excel included     {b_wall:6.1f} s   CPU {b_cpu:6.1f} s")
    _, p_wall, p_cpu = _timed(
        lambda: [protection(design, q, BY, policy=policy, codebook=book) for q in questions]
    )
    print(f"  protection only (counts, explorer)  {p_wall:6.1f} s   CPU {p_cpu:6.1f} s")
    return tables


def run(runs: int = 2) -> None:
    """Time the standard briefing ``runs`` times and print the suppressed share."""
    book = yl.load_codebook()
    design = standard_design(book)
    questions = default_questions(book, BY)
    print(
        f"Standard briefing: {len(questions)} questions x {len(BY)} breakdowns = "
        f"{len(questions) * len(BY)} tables, minimum base 10."
    )
    tables = []
    for k in range(runs):
        print(f"run {k + 1}:")
        tables = run_once(book, design, questions)
    rows, groups = _shares(tables)
    print(f"Suppressed: {rows:.1%} of rows, {groups:.1%} of groups.")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2, help="timed runs (default 2)")
    run(parser.parse_args().runs)
