"""Totals, medians, ratios and bounded raking by district on a large survey.

The survey of ``benchmarks/estimate.py`` (default 1,000,000 respondents, 50 strata,
2,000 clusters), raked to its margins; then, by district with linearization
standard errors: the totals of a 5-category answer, the median (with its Woodruff
interval) of a numeric score, a ratio, and raking again within bounds. Target
(issue #13): totals and medians by district on 1,000,000 rows under 1 s.

Usage::

    .venv/bin/python benchmarks/more_estimators.py [--rows 1000000] [--repeat 3]

It prints a table; nothing is asserted (no timed tests).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from estimate import make_survey

import listening as yl


def best(job, repeat: int) -> float:
    times = []
    for _ in range(max(repeat, 1)):
        start = time.perf_counter()
        job()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--strata", type=int, default=50)
    parser.add_argument("--clusters", type=int, default=2_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    data, margins = make_survey(args.rows, args.strata, args.clusters)
    data["score"] = np.random.default_rng(2).normal(50, 10, len(data))
    data["pupils"] = np.random.default_rng(3).integers(1, 30, len(data)).astype(float)
    design = yl.SurveyDesign(data, weights="w", strata="stratum", clusters="school")
    raked = design.rake(margins)
    ratio = raked.weights / design.weights
    bounds = (float(ratio.min()), 0.97 * float(ratio.max()))  # the top 3% of the range cut
    jobs = {
        "totals of a 5-category answer by district": lambda: yl.total(raked, "safe", by="district"),
        "median score by district (Woodruff)": lambda: yl.quantile(
            raked, "score", (0.5,), by="district"
        ),
        "totals + medians by district": lambda: (
            yl.total(raked, "safe", by="district"),
            yl.quantile(raked, "score", (0.5,), by="district"),
        ),
        "ratio score / pupils by district": lambda: yl.ratio(
            raked, "score", "pupils", by="district"
        ),
        "rake with the largest weight ratio cut by 3%": lambda: design.rake(margins, bounds=bounds),
    }
    print(
        f"survey: {args.rows:,} respondents, {args.strata} strata, {args.clusters:,} clusters, "
        "raked to district + age band x sex"
    )
    print(f"\n{'job':48} {'seconds':>8}  target")
    for name, job in jobs.items():
        target = "< 1 s" if name.startswith("totals + medians") else ""
        print(f"{name:48} {best(job, args.repeat):8.3f}  {target}")


if __name__ == "__main__":
    main()
