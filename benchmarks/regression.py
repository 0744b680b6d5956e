"""Speed of a raked survey-weighted logistic model, against R's svyglm and svy's GLM.

The job: the survey of ``benchmarks/estimate.py`` (default 1,000,000 respondents,
50 strata, 2,000 clusters) raked to a district margin and an age band x sex
margin, then a logistic model of a 0/1 outcome on 5 predictors (age band, sex,
district, a 3-category "trusted adult" and a numeric score) with design-based
standard errors (the calibration linearization): ``yl.glm(raked, ...)``.

R (``Rscript`` with the survey package) runs ``svydesign`` + ``calibrate`` +
``svyglm(family = quasibinomial())`` on ``--r-rows`` respondents (default
200,000: at 1,000,000 rows R took 65 s here; pass ``--r-rows 1000000`` to measure
it); reading the data is not timed, and the table says which rows R ran on and
how its time extrapolates. ``svy`` (installed in .venv here, not a dependency of
listening) runs the same job at full size when importable. Coefficients and
standard errors are compared (largest relative gap) where both ran on the same rows.

Usage::

    .venv/bin/python benchmarks/regression.py
    .venv/bin/python benchmarks/regression.py --rows 200000 --r-rows 50000 --repeat 1

It prints a table; nothing is asserted (no timed tests).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

import listening as yl

# the survey of benchmarks/estimate.py
sys.path.insert(0, str(Path(__file__).resolve().parent))
from estimate import make_survey

TRUSTED = ["Yes", "No", "Not sure"]
FORMULA = "unsafe ~ age_band + sex + district + trusted + score"


def make_model_survey(
    rows: int, strata: int, clusters: int, seed: int = 1
) -> tuple[pd.DataFrame, list[pd.DataFrame]]:
    """The survey of benchmarks/estimate.py with a logistic outcome and two more predictors."""
    data, margins = make_survey(rows, strata, clusters, seed)
    rng = np.random.default_rng(seed + 1)
    trusted = rng.choice(3, rows, p=[0.7, 0.1, 0.2])
    score = rng.normal(0, 1, rows)
    eta = (
        -0.4
        + 0.5 * data["age_band"].cat.codes.to_numpy()
        - 0.7 * data["sex"].cat.codes.to_numpy()
        + 0.1 * data["district"].cat.codes.to_numpy()
        + 0.25 * (trusted > 0)
        + 0.3 * score
        + rng.normal(0, 0.3, clusters)[data["school"].to_numpy()]
    )
    unsafe = (rng.random(rows) < 1 / (1 + np.exp(-eta))).astype(float)
    unsafe[rng.random(rows) < 0.03] = np.nan
    data = data.assign(
        trusted=pd.Categorical.from_codes(trusted, TRUSTED),
        score=score,
        unsafe=unsafe,
    )
    return data, margins


def _best(job: Callable[[], object], repeat: int) -> tuple[float, float, object]:
    """First (cold) time, best time over ``repeat`` runs, and the last result."""
    times = []
    result = None
    for _ in range(max(repeat, 1)):
        start = time.perf_counter()
        result = job()
        times.append(time.perf_counter() - start)
    return times[0], min(times), result


def listening_job(data: pd.DataFrame, margins: list[pd.DataFrame]) -> yl.GLMFit:
    """Design, rake, logistic model with the raking linearization."""
    design = yl.SurveyDesign(data, weights="w", strata="stratum", clusters="school")
    return yl.glm(design.rake(margins), FORMULA, family="binomial")


R_SCRIPT = r"""
suppressMessages(library(survey))
args <- commandArgs(trailingOnly = TRUE)
df <- read.csv(args[1], stringsAsFactors = FALSE, na.strings = "NA")
df$age_band <- factor(df$age_band, levels = c("11-13", "14-15", "16-18"))
df$sex <- factor(df$sex, levels = c("Female", "Male"))
df$district <- factor(df$district, levels = strsplit(args[4], "|", fixed = TRUE)[[1]])
df$trusted <- factor(df$trusted, levels = c("Yes", "No", "Not sure"))
pop_d <- read.csv(args[2]); names(pop_d)[names(pop_d) == "population"] <- "Freq"
pop_d$district <- factor(pop_d$district, levels = levels(df$district))
pop_as <- read.csv(args[3]); names(pop_as)[names(pop_as) == "population"] <- "Freq"
t0 <- proc.time()[["elapsed"]]
d <- svydesign(ids = ~school, strata = ~stratum, weights = ~w, data = df)
r <- calibrate(d, list(~district, ~age_band + sex), list(pop_d, pop_as),
               calfun = "raking", epsilon = 1e-10, maxit = 100)
fit <- svyglm(unsafe ~ age_band + sex + district + trusted + score, r,
              family = quasibinomial(), control = glm.control(epsilon = 1e-14, maxit = 100))
t1 <- proc.time()[["elapsed"]]
cat(sprintf("%.6f\n", t1 - t0))
cat(sprintf("%.17g\n", coef(fit)))
cat(sprintf("%.17g\n", SE(fit)))
"""


def time_r(data: pd.DataFrame, margins: list[pd.DataFrame]) -> tuple[float, np.ndarray] | str:
    """Seconds R takes (reading the data excluded), and its coefficients then SEs."""
    if shutil.which("Rscript") is None:
        return "Rscript not found"
    districts = "|".join(data["district"].cat.categories)
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
                districts,
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
) -> tuple[float, float, np.ndarray, np.ndarray] | str:
    """Seconds svy takes for rake + GLM (polars conversion excluded), its coefs and SEs."""
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
                "age_band": data["age_band"].astype(str),
                "sex": data["sex"].astype(str),
                # svy rakes one-way margins: the joint margin becomes one column
                "age_sex": data["age_band"].astype(str) + "|" + data["sex"].astype(str),
                # svy takes the alphabetically first level as the reference: number
                # the levels so that its reference is listening's ("Yes")
                "trusted": data["trusted"]
                .cat.rename_categories([f"{i} {c}" for i, c in enumerate(TRUSTED, 1)])
                .astype(str),
                "score": data["score"],
                "unsafe": data["unsafe"],
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
    x = [svy.Cat("age_band"), svy.Cat("sex"), svy.Cat("district"), svy.Cat("trusted"), "score"]

    def job() -> object:
        sample = svy.Sample(frame, svy.Design(stratum="stratum", psu="school", wgt="w"))
        raked = sample.weighting.rake(controls=controls, tol=1e-10)
        return raked.glm.fit("unsafe", x=x, family="binomial", tol=1e-12)

    try:
        cold, best, model = _best(job, repeat)
    except Exception as err:  # report whatever svy raises
        return f"svy failed: {type(err).__name__}: {err}"[:200]
    coefs = model.coefs
    return cold, best, np.array([c.est for c in coefs]), np.array([c.se for c in coefs])


def _gap(a: np.ndarray, b: np.ndarray) -> str:
    if len(a) != len(b):
        return "n/a (different terms)"
    return f"{np.max(np.abs(a - b) / np.abs(b)):.1e}"


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--strata", type=int, default=50)
    parser.add_argument("--clusters", type=int, default=2_000)
    parser.add_argument("--r-rows", type=int, default=200_000, help="rows R runs on")
    parser.add_argument("--repeat", type=int, default=3, help="runs per timing (best kept)")
    parser.add_argument("--no-r", action="store_true", help="skip R")
    parser.add_argument("--no-svy", action="store_true", help="skip svy")
    args = parser.parse_args(argv)

    data, margins = make_model_survey(args.rows, args.strata, args.clusters)
    print(
        f"survey: {args.rows:,} respondents, {args.strata} strata, {args.clusters:,} clusters; "
        f"rake to district + age band x sex; logistic model {FORMULA}\n"
    )
    rows: list[tuple[str, str, str]] = []
    cold, best, fit = _best(lambda: listening_job(data, margins), args.repeat)
    rows.append(("listening: design + rake + glm", f"{best:.3f}", f"first run {cold:.3f}"))
    raked = yl.SurveyDesign(data, weights="w", strata="stratum", clusters="school").rake(margins)
    _, glm_best, _ = _best(lambda: yl.glm(raked, FORMULA, family="binomial"), args.repeat)
    rows.append(("listening: glm alone (on the raked design)", f"{glm_best:.3f}", ""))

    if not args.no_svy:
        res = time_svy(data, margins, args.repeat)
        if isinstance(res, str):
            rows.append(("svy", "-", res))
        else:
            svy_cold, svy_best, svy_coef, svy_se = res
            rows.append(
                (
                    "svy: design + rake + glm (Taylor)",
                    f"{svy_best:.3f}",
                    f"{svy_best / best:.1f}x listening; coefficient gap "
                    f"{_gap(svy_coef, fit.coef.to_numpy())}, SE gap "
                    f"{_gap(svy_se, fit.table['se'].to_numpy())}",
                )
            )

    if not args.no_r:
        small, small_margins = make_model_survey(args.r_rows, args.strata, args.clusters)
        _, ours_small, small_fit = _best(lambda: listening_job(small, small_margins), args.repeat)
        res = time_r(small, small_margins)
        if isinstance(res, str):
            rows.append(("R survey", "-", res))
        else:
            r_time, r_values = res
            p = len(small_fit.coef)
            r_coef, r_se = r_values[:p], r_values[p:]
            rows.append(
                (
                    f"R svyglm at {args.r_rows:,} rows (measured)",
                    f"{r_time:.3f}",
                    f"listening at {args.r_rows:,} rows: {ours_small:.3f} s "
                    f"({r_time / ours_small:.0f}x faster); coefficient gap "
                    f"{_gap(small_fit.coef.to_numpy(), r_coef)}, SE gap "
                    f"{_gap(small_fit.table['se'].to_numpy(), r_se)}",
                )
            )
            scale = args.rows / args.r_rows
            if scale != 1:
                rows.append(
                    (
                        f"R svyglm at {args.rows:,} rows (extrapolated x{scale:g})",
                        f"~{r_time * scale:.1f}",
                        f"~{r_time * scale / best:.0f}x listening (linear extrapolation, "
                        "not measured)",
                    )
                )

    width = max(len(r[0]) for r in rows)
    print(f"{'job':<{width}}  {'seconds':>9}  notes")
    for name, seconds, note in rows:
        print(f"{name:<{width}}  {seconds:>9}  {note}")


if __name__ == "__main__":
    main()
