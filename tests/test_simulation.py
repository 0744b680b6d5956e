"""Repeated samples from the synthetic population: do raked intervals cover the truth?

Each of ``N_SAMPLES`` samples is drawn with the generator's own design (six schools per
district with probability proportional to size, response biased towards girls and
11-15s, against 16-18s and Fenland), analysed as the codebook says (strata district,
clusters school), raked to the bundled population margins (with the "Not known" sex
class sized from the sample, as ``load_margins(survey)`` does) and estimated with
``yl.proportion``. The truth is the population's share feeling unsafe after dark
(``safe_dark`` Fairly or Very unsafe, among those who answered).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import listening as yl
from listening.design.margins import with_unknown_sex
from listening.ingest.codebook import load_codebook
from listening.ingest.synthetic import (
    DEFAULT_SEED,
    analysis_frame,
    draw_sample,
    make_population,
    population_truth,
)

N_SAMPLES = 400
CODEBOOK = load_codebook()
UNSAFE = CODEBOOK.question("safe_dark").nets["Feel unsafe"]
COLUMNS = ["district", "school", "age_band", "sex", "safe_dark"]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def runs() -> tuple[pd.DataFrame, pd.Series]:
    population = make_population(DEFAULT_SEED, codebook=CODEBOOK)
    truth = population_truth(population, CODEBOOK)
    truth = truth[
        (truth["question"] == "safe_dark")
        & (truth["category"] == "Feel unsafe")
        & truth["group_var"].isin(["All", "district"])
    ].set_index("group")["proportion"]
    slim = population[COLUMNS]
    base = yl.load_margins(codebook=CODEBOOK)
    rows = []
    for seed in range(N_SAMPLES):
        data = analysis_frame(draw_sample(slim, seed), CODEBOOK)
        dark = data["safe_dark"]
        data["unsafe"] = dark.isin(UNSAFE).astype("boolean").mask(dark.isna())
        design = yl.SurveyDesign(data, strata=CODEBOOK.strata, clusters=CODEBOOK.clusters)
        raked = design.rake(with_unknown_sex(base, data, codebook=CODEBOOK))
        answered = data[dark.notna()]
        unweighted = answered["unsafe"].astype(bool).groupby(answered["district"], observed=True)
        for by in (None, "district"):
            table = yl.proportion(raked, "unsafe", by=by)
            table = table[table["category"] == True]  # noqa: E712  (the boolean category)
            groups = ["All"] if by is None else table["district"].astype(str).tolist()
            plain = (
                [answered["unsafe"].astype(bool).mean()]
                if by is None
                else unweighted.mean().reindex(groups).tolist()
            )
            for group, estimate, low, high, raw in zip(
                groups, table["estimate"], table["ci_low"], table["ci_high"], plain, strict=True
            ):
                rows.append((seed, group, estimate, low, high, raw))
    results = pd.DataFrame(
        rows, columns=["seed", "group", "weighted", "ci_low", "ci_high", "unweighted"]
    )
    results["truth"] = results["group"].map(truth)
    return results, truth


def test_every_sample_gives_every_group(runs):
    results, truth = runs
    assert results.groupby("group").size().to_dict() == dict.fromkeys(truth.index, N_SAMPLES)
    assert results[["weighted", "ci_low", "ci_high", "truth"]].notna().all().all()


def test_95_percent_logit_intervals_cover_the_truth_overall_and_by_district(runs):
    results, _ = runs
    covered = results["ci_low"].le(results["truth"]) & results["truth"].le(results["ci_high"])
    coverage = covered.groupby(results["group"]).mean()
    assert coverage.between(0.92, 0.98).all(), coverage.round(3).to_dict()


def test_weighting_removes_the_bias_of_who_answered(runs):
    results, _ = runs
    overall = results[results["group"] == "All"]
    spread = overall["weighted"].std() / np.sqrt(N_SAMPLES)
    weighted_bias = (overall["weighted"] - overall["truth"]).mean()
    unweighted_bias = (overall["unweighted"] - overall["truth"]).mean()
    assert abs(weighted_bias) < 3 * spread
    assert abs(unweighted_bias) > 10 * spread


def test_weighted_estimates_are_closer_to_the_truth_on_average(runs):
    results, _ = runs
    error = results.assign(
        weighted=(results["weighted"] - results["truth"]).abs(),
        unweighted=(results["unweighted"] - results["truth"]).abs(),
    )
    overall = error[error["group"] == "All"]
    assert overall["weighted"].mean() < 0.75 * overall["unweighted"].mean()
    districts = error[error["group"] != "All"]
    assert districts["weighted"].mean() < districts["unweighted"].mean()
