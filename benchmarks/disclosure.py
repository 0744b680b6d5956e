"""How much the standard briefing hides, before and after publication-wide protection.

The standard briefing of the bundled sample (raked as ``listening brief`` rakes
it): every question ``listening brief`` covers by default, by district, age band,
gender, school year, district x age band and district x gender, minimum base 10.

Printed, as shares of the table rows (one row per group and answer, "All" included)
and of the groups:

- *old rule*: each table protected on its own by the line rule
  (:func:`listening.publish.suppression.suppress`: the next smallest group of a line
  with one hidden group), no codebook groupings;
- *LP, no groupings*: the publication protected together by the linear-programming
  attacker (:func:`listening.publish.suppression.protect`), cost = base;
- *LP + codebook*: the same with the sample codebook's publication grouping
  ("Describe another way" for the county only), which is what ``listening brief``
  publishes.

Also the time to protect: the run with protection minus the same run with nothing to
hide (``min_base=0``), so estimation is not counted; and the protection alone
(``yl.protection`` of every question: counts only, protected as ``yl.crosstabs``
protects them), at minimum base 10 and 125 (the explorer's slider allows it).
Target: under 10 s for the whole briefing.

Measured on the shared 2-core machine (CPU seconds; wall time is noisy there): the
protection half of ``yl.crosstabs`` for the standard briefing took 9.2 s CPU before
the live HiGHS models of ``listening.publish.lp`` (11.7 s for 4 questions at minimum
base 125) and 3.7 s (2.4 s) after, with the same protection.

Then the explorer's publications (every question by each breakdown and pair,
protected together with Who took part, as the pages show them) at minimum base 10
and 30: the share of groups hidden, of one-way groups hidden, and the time.

With the attacker's shortcuts (known solutions checked against every target at
once, kept proofs in pruning, overlaps and leftovers worked out once), same
patterns: the explorer's 14 questions 29 -> 19 s CPU at minimum base 10 and
34 -> 22 s at 30 (11.6% and 34.7% of groups hidden, unchanged); protection alone
3.4 -> 3.0 s (base 10) and 2.7 -> 2.0 s (base 125, 4 questions). Linear programs
are about half of what is left (scipy's ``linprog`` for the proofs, about 8 s
over the 14 questions at base 25, kept: another solver finds other proofs).

Usage::

    .venv/bin/python benchmarks/disclosure.py

Nothing is asserted (no timed tests).
"""

from __future__ import annotations

import time

import pandas as pd
from briefing import BY, standard_design  # the same briefing, raked the same way

import listening as yl
from listening.cli import default_questions
from listening.explorer.cross import publish_question
from listening.explorer.sources import designs
from listening.explorer.took_part import composition_variables, publish_took_part
from listening.explorer.views import BREAKDOWNS, question_choices
from listening.publish.disclosure import DisclosurePolicy
from listening.publish.suppression import suppress
from listening.publish.table import ALL

MIN_BASE = 10


def _shares(tables: list, flags: list[pd.Series]) -> tuple[float, float]:
    """Shares of rows and of groups hidden."""
    rows = sum(len(t.table) for t in tables)
    hidden_rows = sum(int(f.sum()) for f in flags)
    groups = [
        t.table.assign(hidden=f.to_numpy()).drop_duplicates(list(t.by))
        for t, f in zip(tables, flags, strict=True)
    ]
    n_groups = sum(len(g) for g in groups)
    hidden_groups = sum(int(g["hidden"].sum()) for g in groups)
    return hidden_rows / rows, hidden_groups / n_groups


def _old_rule(table: pd.DataFrame, by: list[str]) -> pd.Series:
    """The line rule of one table on its own, from the table's true bases."""
    bases = table.groupby(by, sort=False)["base"].first().reset_index()
    is_all = (bases[by] == ALL).all(axis=1)
    groups = bases[~is_all].reset_index(drop=True)
    total = int(bases.loc[is_all, "base"].iloc[0])
    result = suppress(
        groups, by=by, min_base=MIN_BASE, residual_base=total - int(groups["base"].sum())
    )
    flags = pd.concat(
        [
            bases[is_all][by].assign(hidden=result.total),
            groups[by].assign(hidden=result.groups.to_numpy()),
        ]
    )
    return table[by].merge(flags, on=by, how="left")["hidden"].astype(bool)


def main() -> None:
    book = yl.load_codebook()
    design = standard_design(book)
    questions = default_questions(book, BY)
    print(
        f"Standard briefing: {len(questions)} questions x {len(BY)} breakdowns = "
        f"{len(questions) * len(BY)} tables, minimum base {MIN_BASE}."
    )
    start, cpu = time.perf_counter(), time.process_time()
    everything = yl.crosstabs(
        design, questions, BY, policy=DisclosurePolicy(min_base=0), codebook=book
    )
    plain, plain_cpu = time.perf_counter() - start, time.process_time() - cpu
    old = [_old_rule(t.table, list(t.by)) for t in everything]
    results = [("old rule (each table alone)", everything, old, None)]
    for label, policy in [
        ("LP, no groupings", DisclosurePolicy(min_base=MIN_BASE)),
        ("LP + codebook (what brief publishes)", DisclosurePolicy.from_codebook(book)),
    ]:
        start, cpu = time.perf_counter(), time.process_time()
        tables = yl.crosstabs(design, questions, BY, policy=policy, codebook=book)
        elapsed = (time.perf_counter() - start - plain, time.process_time() - cpu - plain_cpu)
        results.append((label, tables, [t.table["suppressed"] for t in tables], elapsed))
    heads = ("rows hidden", "groups hidden", "protect (s)", "CPU (s)")
    print(f"{'rule':40} " + " ".join(f"{h:>14}" for h in heads))
    for label, tables, flags, elapsed in results:
        rows, groups = _shares(tables, flags)
        times = ["", ""] if elapsed is None else [f"{max(e, 0.0):.1f}" for e in elapsed]
        print(f"{label:40} {rows:14.1%} {groups:14.1%} {times[0]:>14} {times[1]:>14}")
    print(f"(the same tables with nothing to hide took {plain:.1f} s, {plain_cpu:.1f} s CPU)")
    for min_base, asked in ((MIN_BASE, questions), (125, questions[:4])):
        policy = DisclosurePolicy.from_codebook(book, min_base=min_base)
        start, cpu = time.perf_counter(), time.process_time()
        for question in asked:
            yl.protection(design, question, BY, policy=policy, codebook=book)
        print(
            f"Protection alone (yl.protection), {len(asked)} questions, minimum base "
            f"{min_base}: {time.perf_counter() - start:.1f} s, "
            f"{time.process_time() - cpu:.1f} s CPU"
        )
    gender = results[-1][1][len(BY) - 1 :: len(BY)]
    boys = all(
        not t.table[(t.table["district"] != ALL) & t.table["gender"].isin(["Girl", "Boy"])][
            "suppressed"
        ].any()
        for t in gender
    )
    print(f"District x gender shows girls and boys in every district: {boys}")
    # where a district's leftover (neither girl nor boy) has 1 to 9 respondents, one of
    # its girls or boys is hidden to protect it
    affected = sorted(
        {
            (d, g)
            for t in gender
            for d, g in t.table.loc[
                (t.table["district"] != ALL)
                & t.table["gender"].isin(["Girl", "Boy"])
                & t.table["suppressed"],
                ["district", "gender"],
            ].itertuples(index=False)
        }
    )
    print(f"District x gender groups hidden in some table: {affected}")
    data = design.data
    question = "safe_dark" if "safe_dark" in questions else questions[0]
    neither = data[data[question].notna() & ~data["gender"].isin(["Girl", "Boy"])]
    sizes = neither["district"].astype(str).value_counts().to_dict()
    print(f"Answered {question}, neither girl nor boy, by district: {sizes}")
    _explorer()


def _explorer() -> None:
    """The explorer's publications of the sample, protected with Who took part."""
    survey = yl.load_sample()
    book = survey.codebook
    built = designs(survey, yl.load_margins())
    variables = [column for _, column in composition_variables(book, survey.data)]
    cells = [[c for c in m.columns if c != "population"] for m in built.margins]
    columns = [c for c in BREAKDOWNS.values() if c in survey.data]
    questions = list(question_choices(book))
    for min_base in (MIN_BASE, 30):
        start, cpu = time.perf_counter(), time.process_time()
        everyone = publish_took_part(
            survey.data, variables, cells, min_base=min_base, codebook=book
        )
        groups = hidden = one_way = one_way_hidden = 0
        for question in questions:
            pub = publish_question(
                built.unweighted,
                question,
                columns=columns,
                min_base=min_base,
                took_part=everyone,
                codebook=book,
            )
            for by, reasons in pub.reasons.items():
                shut = sum(1 for r in reasons.values() if r)
                groups, hidden = groups + len(reasons), hidden + shut
                if len(by) == 1:
                    one_way, one_way_hidden = one_way + len(reasons), one_way_hidden + shut
        print(
            f"Explorer, {len(questions)} questions by every breakdown and pair, minimum base "
            f"{min_base}: {hidden / groups:.1%} of groups hidden ({one_way_hidden} of "
            f"{one_way} one-way groups); {time.perf_counter() - start:.0f} s, "
            f"{time.process_time() - cpu:.0f} s CPU"
        )


if __name__ == "__main__":
    main()
