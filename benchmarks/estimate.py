"""Speed of the statistics core on a large synthetic survey, against R survey and svy.

The job: a stratified cluster sample (default 1,000,000 respondents, 50 strata,
2,000 clusters), raked to a district margin and an age band x sex margin, then a
5-category question by 6 districts with linearization standard errors and logit
intervals. Also timed: the same after a jackknife (one replicate per cluster)
whose every replicate is re-raked.

When ``Rscript`` (with the survey package) is on the PATH, the same job runs in R
on a sample of ``--r-rows`` respondents (same strata and clusters; only
``svydesign`` + ``calibrate`` + ``svyby`` is timed, not reading the data) and its
time is extrapolated linearly to ``--rows``: the table says which figures were
measured and which extrapolated. When the Python package ``svy`` is installed
(``pip install svy``; not a dependency of listening), the same job runs in it too.

Usage::

    .venv/bin/python benchmarks/estimate.py                 # the full benchmark
    .venv/bin/python benchmarks/estimate.py --rows 200000 --r-rows 20000 --no-jackknife

It prints a table; nothing is asserted (no timed tests).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

import listening as yl

DISTRICTS = [
    "Cambridge",
    "East Cambridgeshire",
    "Fenland",
    "Huntingdonshire",
    "Peterborough",
    "South Cambridgeshire",
]
AGE_BANDS = ["11-13", "14-15", "16-18"]
SEXES = ["Female", "Male"]
ANSWERS = ["Very safe", "Fairly safe", "Neither", "Fairly unsafe", "Very unsafe"]


def make_survey(
    rows: int, strata: int, clusters: int, seed: int = 1
) -> tuple[pd.DataFrame, list[pd.DataFrame]]:
    """A synthetic school survey and population margins (district; age band x sex)."""
    rng = np.random.default_rng(seed)
    school = rng.integers(0, clusters, rows)
    stratum = school % strata
    district = stratum % len(DISTRICTS)
    effect = rng.normal(0, 0.3, clusters)[school]
    score = np.clip(np.round(rng.normal(2 + effect, 1.2)), 0, 4).astype(int)
    answer = pd.Categorical.from_codes(score, categories=ANSWERS, ordered=True)
    answer[rng.random(rows) < 0.03] = np.nan
    data = pd.DataFrame(
        {
            "stratum": stratum,
            "school": school,
            "district": pd.Categorical.from_codes(district, DISTRICTS),
            "age_band": pd.Categorical.from_codes(
                rng.choice(3, rows, p=[0.4, 0.25, 0.35]), AGE_BANDS
            ),
            "sex": pd.Categorical.from_codes(rng.integers(0, 2, rows), SEXES),
            "safe": answer,
            "w": rng.uniform(0.5, 2.0, rows),
        }
    )
    population = 60_000.0
    shares = np.array([0.16, 0.1, 0.12, 0.24, 0.27, 0.11])
    by_district = pd.DataFrame({"district": DISTRICTS, "population": shares * population})
    cells = [(a, s) for a in AGE_BANDS for s in SEXES]
    age_sex = np.array([0.19, 0.18, 0.13, 0.12, 0.19, 0.19])
    by_age_sex = pd.DataFrame(
        {
            "age_band": [a for a, _ in cells],
            "sex": [s for _, s in cells],
            "population": age_sex / age_sex.sum() * population,
        }
    )
    return data, [by_district, by_age_sex]


def _best(job: Callable[[], object], repeat: int) -> tuple[float, float, object]:
    """First (cold) time, best time over ``repeat`` runs, and the last result."""
    times = []
    result = None
    for _ in range(max(repeat, 1)):
        start = time.perf_counter()
        result = job()
        times.append(time.perf_counter() - start)
    return times[0], min(times), result


def listening_job(data: pd.DataFrame, margins: list[pd.DataFrame]) -> pd.DataFrame:
    """Design, rake, proportion by district with linearization SEs."""
    design = yl.SurveyDesign(data, weights="w", strata="stratum", clusters="school")
    raked = design.rake(margins)
    return yl.proportion(raked, "safe", by="district")


def jackknife_job(data: pd.DataFrame, margins: list[pd.DataFrame]) -> pd.DataFrame:
    """Design, jackknife, re-rake every replicate, proportion by district."""
    design = yl.SurveyDesign(data, weights="w", strata="stratum", clusters="school")
    replicated = design.jackknife().rake(margins)
    return yl.proportion(replicated, "safe", by="district")


R_SCRIPT = r"""
suppressMessages(library(survey))
args <- commandArgs(trailingOnly = TRUE)
df <- read.csv(args[1], stringsAsFactors = TRUE, na.strings = "NA")
df$safe <- factor(df$safe, levels = strsplit(args[5], "|", fixed = TRUE)[[1]])
pop_d <- read.csv(args[2]); names(pop_d)[names(pop_d) == "population"] <- "Freq"
pop_as <- read.csv(args[3]); names(pop_as)[names(pop_as) == "population"] <- "Freq"
jackknife <- args[4] == "jackknife"
t0 <- proc.time()[["elapsed"]]
d <- svydesign(ids = ~school, strata = ~stratum, weights = ~w, data = df)
if (jackknife) d <- as.svrepdesign(d, type = "JKn")
r <- calibrate(d, list(~district, ~age_band + sex), list(pop_d, pop_as),
               calfun = "raking", epsilon = 1e-10, maxit = 100)
out <- svyby(~safe, ~district, subset(r, !is.na(safe)), svymean, na.rm = TRUE)
t1 <- proc.time()[["elapsed"]]
cat(sprintf("%.6f\n", t1 - t0))
cat(sprintf("%.17g\n", as.vector(t(as.matrix(SE(out))))))
"""


def time_r(
    data: pd.DataFrame, margins: list[pd.DataFrame], jackknife: bool = False
) -> tuple[float, np.ndarray] | str:
    """Seconds R takes for the job (reading the data excluded), and its SEs."""
    if shutil.which("Rscript") is None:
        return "Rscript not found"
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        data.to_csv(folder / "data.csv", index=False, na_rep="NA")
        margins[0].to_csv(folder / "district.csv", index=False)
        margins[1].to_csv(folder / "age_sex.csv", index=False)
        (folder / "job.R").write_text(R_SCRIPT, encoding="utf-8")
        done = subprocess.run(
            [
                "Rscript",
                str(folder / "job.R"),
                str(folder / "data.csv"),
                str(folder / "district.csv"),
                str(folder / "age_sex.csv"),
                "jackknife" if jackknife else "linear",
                "|".join(ANSWERS),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
    if done.returncode != 0:
        return "R failed: " + done.stderr.strip().splitlines()[-1][:200]
    lines = done.stdout.split()
    return float(lines[0]), np.array([float(x) for x in lines[1:]])


def time_svy(
    data: pd.DataFrame, margins: list[pd.DataFrame], repeat: int
) -> tuple[float, float, np.ndarray] | str:
    """Seconds the ``svy`` package takes for the job (polars conversion excluded)."""
    try:
        import polars as pl
        import svy
    except ImportError:
        return "svy not installed (pip install svy)"
    frame = pl.from_pandas(
        pd.DataFrame(
            {
                "stratum": data["stratum"],
                "school": data["school"],
                "w": data["w"],
                "district": data["district"].astype(str),
                # svy rakes one-way margins: the joint margin becomes one column
                "age_sex": data["age_band"].astype(str) + "|" + data["sex"].astype(str),
                "safe": data["safe"].astype(object).where(data["safe"].notna(), None),
            }
        )
    )
    controls = {
        "district": dict(zip(margins[0]["district"], margins[0]["population"], strict=True)),
        "age_sex": {
            f"{a}|{s}": p
            for a, s, p in zip(
                margins[1]["age_band"], margins[1]["sex"], margins[1]["population"], strict=True
            )
        },
    }

    def job() -> object:
        sample = svy.Sample(frame, svy.Design(stratum="stratum", psu="school", wgt="w"))
        raked = sample.weighting.rake(controls=controls, tol=1e-10)
        return raked.estimation.prop("safe", by="district", drop_nulls=True)

    try:
        cold, best, result = _best(job, repeat)
    except Exception as err:  # report whatever svy raises
        return f"svy failed: {type(err).__name__}: {err}"[:200]
    table = result.to_polars().to_pandas()
    order = {a: i for i, a in enumerate(ANSWERS)}
    table = table.assign(
        d=table["district"].map({d: i for i, d in enumerate(DISTRICTS)}),
        k=table["safe"].map(order),
    ).sort_values(["d", "k"])
    return cold, best, table["se"].to_numpy()


def _gap(a: np.ndarray, b: np.ndarray) -> str:
    if len(a) != len(b):
        return "n/a"
    return f"{np.max(np.abs(a - b) / np.abs(b)):.1e}"


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--strata", type=int, default=50)
    parser.add_argument("--clusters", type=int, default=2_000)
    parser.add_argument("--r-rows", type=int, default=100_000, help="rows R runs on")
    parser.add_argument("--repeat", type=int, default=3, help="runs per timing (best kept)")
    parser.add_argument("--no-r", action="store_true", help="skip R")
    parser.add_argument("--no-svy", action="store_true", help="skip svy")
    parser.add_argument("--no-jackknife", action="store_true", help="skip the jackknife job")
    parser.add_argument(
        "--r-jackknife", action="store_true", help="also time R's re-raked jackknife at --r-rows"
    )
    args = parser.parse_args(argv)

    data, margins = make_survey(args.rows, args.strata, args.clusters)
    print(
        f"survey: {args.rows:,} respondents, {args.strata} strata, {args.clusters:,} clusters; "
        "rake to district + age band x sex; 5-category proportion by 6 districts\n"
    )
    rows: list[tuple[str, str, str]] = []
    cold, best, ours = _best(lambda: listening_job(data, margins), args.repeat)
    rows.append(("listening: design + rake + proportion", f"{best:.3f}", f"first run {cold:.3f}"))
    se = ours["se"].to_numpy()

    if not args.no_jackknife:
        cold_jk, best_jk, jk = _best(lambda: jackknife_job(data, margins), 1)
        rows.append(
            (
                f"listening: + jackknife ({args.clusters:,} re-raked replicates)",
                f"{best_jk:.3f}",
                f"SE / linearization SE: {np.median(jk['se'].to_numpy() / se):.3f} (median)",
            )
        )

    if not args.no_svy:
        res = time_svy(data, margins, args.repeat)
        if isinstance(res, str):
            rows.append(("svy", "-", res))
        else:
            svy_cold, svy_best, svy_se = res
            rows.append(
                (
                    "svy: design + rake + prop (Taylor)",
                    f"{svy_best:.3f}",
                    f"{svy_best / best:.1f}x listening; SE gap vs listening {_gap(svy_se, se)}",
                )
            )

    if not args.no_r:
        small, small_margins = make_survey(args.r_rows, args.strata, args.clusters)
        _, ours_small, small_out = _best(lambda: listening_job(small, small_margins), args.repeat)
        res = time_r(small, small_margins)
        if isinstance(res, str):
            rows.append(("R survey", "-", res))
        else:
            r_time, r_se = res
            scale = args.rows / args.r_rows
            rows.append(
                (
                    f"R survey at {args.r_rows:,} rows (measured)",
                    f"{r_time:.3f}",
                    f"listening at {args.r_rows:,} rows: {ours_small:.3f} s "
                    f"({r_time / ours_small:.0f}x faster); "
                    f"SE gap vs listening {_gap(small_out['se'].to_numpy(), r_se)}",
                )
            )
            if scale != 1:
                rows.append(
                    (
                        f"R survey at {args.rows:,} rows (extrapolated x{scale:g})",
                        f"~{r_time * scale:.1f}",
                        f"~{r_time * scale / best:.0f}x listening (linear extrapolation, "
                        "not measured)",
                    )
                )
        if args.r_jackknife and not args.no_jackknife:
            _, ours_jk, _ = _best(lambda: jackknife_job(small, small_margins), 1)
            res = time_r(small, small_margins, jackknife=True)
            text = res if isinstance(res, str) else f"{res[0]:.3f}"
            rows.append(
                (
                    f"R survey jackknife + calibrate at {args.r_rows:,} rows (measured)",
                    text,
                    f"listening at {args.r_rows:,} rows: {ours_jk:.3f} s",
                )
            )

    width = max(len(r[0]) for r in rows)
    print(f"{'job':<{width}}  {'seconds':>9}  notes")
    for name, seconds, note in rows:
        print(f"{name:<{width}}  {seconds:>9}  {note}")


if __name__ == "__main__":
    main()
