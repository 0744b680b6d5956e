"""Repeated pairs of waves: do the intervals of ``yl.change`` cover the true change?

Each of ``N_PAIRS`` pairs is a 2025 sample (the bundled wave's design and response
bias) and an independent 2024 sample (its own schools and the 2024 response bias)
from the synthetic population, whose 2024 answers carry the planted changes
(``listening.ingest.synthetic_waves.BEFORE_SHIFTS``). Each sample is analysed as the
codebook says (strata district, clusters school) and raked on the bundled margins
with the "Not known" sex class sized from that sample, as ``load_margins(survey)``
does. The truth is the population's change in the share feeling safe after dark
("Feel safe") and in the share who saw someone carrying a knife.

Vectorised: the samples of a wave are stacked ten at a time into one design whose
strata are sample x district and clusters sample x school, raked on the margins crossed
with sample, and ``yl.change(..., by=["pair", "district"])`` estimates ten pairs at once.
A domain of such a design is estimated exactly as on its own sample's design (the
strata, clusters and raking cells of different samples are disjoint);
``test_stacked_pairs_equal_separate_designs`` checks that on a few pairs.

Coverage: 200 intervals give a coverage with a standard error of 1.5 points, so the
pooled intervals are checked where they are informative (the six districts' 2,400, both
indicators: 95% +- 1.3 points; overall, both indicators' 400: 95% +- 3.3 points), and each
single group against 90-99%: each band is about three standard errors.
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
    ResponseBias,
    analysis_frame,
    draw_sample,
    make_population,
)
from listening.ingest.synthetic_waves import BEFORE_RESPONSE, BEFORE_SHIFTS

N_PAIRS = 200
CHUNK = 10  # pairs per stacked design (raking solves a system in the raking cells)
CODEBOOK = load_codebook()
COLUMNS = ["district", "school", "age_band", "sex", "safe_dark", "seen_knife"]
SAFE = CODEBOOK.question("safe_dark").nets["Feel safe"]
INDICATORS = {"feel_safe_dark": ("safe_dark", SAFE), "seen_knife_yes": ("seen_knife", ("Yes",))}
BEFORE_BIAS = ResponseBias(**{k: np.array(v) for k, v in BEFORE_RESPONSE.items()})

# About 95 s of CPU here (most of it raking 40 stacked designs and drawing 400 samples).
pytestmark = pytest.mark.slow


def _indicators(data: pd.DataFrame) -> pd.DataFrame:
    for name, (question, members) in INDICATORS.items():
        answers = data[question]
        data[name] = answers.isin(members).astype("boolean").where(answers.notna())
    return data


def _stacked(population: pd.DataFrame, pairs: range, seed: int, bias: ResponseBias | None):
    """One design holding one sample per pair (strata and clusters kept apart by sample)."""
    frames = []
    for pair in pairs:
        data = analysis_frame(draw_sample(population, seed + pair, bias=bias), CODEBOOK)
        frames.append(data[COLUMNS].assign(pair=pair))
    data = _indicators(pd.concat(frames, ignore_index=True))
    data["pair"] = data["pair"].astype("category")
    key = data["pair"].astype(str) + "|"
    data["stratum"] = (key + data["district"].astype(str)).astype("category")
    data["psu"] = (key + data["school"].astype(str)).astype("category")
    base = yl.load_margins(codebook=CODEBOOK)
    # Each sample's own margins (its "Not known" share is that sample's), crossed with pair.
    own = [
        [
            m.assign(pair=pair)
            for m in with_unknown_sex(base, data[data["pair"] == pair], codebook=CODEBOOK)
        ]
        for pair in data["pair"].cat.categories
    ]
    margins = [
        pd.concat(cells, ignore_index=True)[["pair", *base[i].columns]]
        for i, cells in enumerate(zip(*own, strict=True))
    ]
    design = yl.SurveyDesign(data, strata="stratum", clusters="psu")
    return design.rake(margins)


def _truth(population: pd.DataFrame, group: str | None) -> pd.Series:
    data = _indicators(population[COLUMNS].copy())
    out = {}
    for name in INDICATORS:
        answered = data[data[name].notna()]
        share = answered[name].astype(bool)
        out[name] = (
            share.groupby(answered["district"], observed=True).mean()
            if group
            else pd.Series({"All": share.mean()})
        )
    return pd.concat(out, names=["indicator", "group"])


@pytest.fixture(scope="module")
def populations() -> tuple[pd.DataFrame, pd.DataFrame]:
    after = make_population(DEFAULT_SEED, codebook=CODEBOOK)[COLUMNS]
    before = make_population(DEFAULT_SEED, codebook=CODEBOOK, shifts=BEFORE_SHIFTS)[COLUMNS]
    return after, before


@pytest.fixture(scope="module")
def runs(populations) -> pd.DataFrame:
    after_pop, before_pop = populations
    truth = {g: _truth(after_pop, g) - _truth(before_pop, g) for g in (None, "district")}
    pieces = []
    for start in range(0, N_PAIRS, CHUNK):
        pieces += _chunk(after_pop, before_pop, start, truth)
    results = pd.concat(pieces, ignore_index=True)
    results["covered"] = (results["ci_low"] <= results["truth"]) & (
        results["truth"] <= results["ci_high"]
    )
    return results


def _chunk(after_pop, before_pop, start, truth) -> list[pd.DataFrame]:
    """Pairs ``start`` to ``start + CHUNK - 1``, in one stacked design per wave."""
    pairs = range(start, start + CHUNK)
    after = _stacked(after_pop, pairs, 10_000, None)
    before = _stacked(before_pop, pairs, 20_000, BEFORE_BIAS)
    pieces = []
    for name in INDICATORS:
        for by, level in ((["pair"], None), (["pair", "district"], "district")):
            out = yl.change(after, before, name, by=by)
            out = out[out["category"] == "True"].copy()
            out["group"] = out["district"] if level else "All"
            out["indicator"] = name
            out["truth"] = (
                truth[level].loc[list(zip(out["indicator"], out["group"], strict=True))].to_numpy()
            )
            pieces.append(out)
    return pieces


def test_every_pair_gives_every_group(runs):
    counts = runs.groupby(["indicator", "group"]).size()
    assert (counts == N_PAIRS).all() and len(counts) == 2 * 7
    assert runs[["difference", "se", "ci_low", "ci_high", "truth"]].notna().all().all()


def test_95_percent_intervals_cover_the_true_change_overall_and_by_district(runs):
    districts = runs[runs["group"] != "All"]
    overall = runs[runs["group"] == "All"]
    for name, covered in (("districts", districts["covered"]), ("overall", overall["covered"])):
        band = 3 * np.sqrt(0.95 * 0.05 / len(covered))  # three standard errors of the pool
        assert abs(covered.mean() - 0.95) <= band, (name, covered.mean(), band)
    by_group = runs.groupby(["indicator", "group"])["covered"].mean()
    assert by_group.between(0.90, 0.99).all(), by_group.round(3).to_dict()
    by_district = districts.groupby("group")["covered"].mean()
    assert by_district.between(0.91, 0.985).all(), by_district.round(3).to_dict()


def test_the_planted_peterborough_change_is_detected_in_most_pairs(runs):
    peterborough = runs[(runs["group"] == "Peterborough") & (runs["indicator"] == "feel_safe_dark")]
    detected = (peterborough["p_value"] < 0.05) & (peterborough["difference"] > 0)
    assert detected.mean() > 0.6, detected.mean()
    # where nothing changed, a "significant" change is rare (about 5%)
    unchanged = runs[(runs["truth"].abs() < 1e-12)]
    assert unchanged["p_value"].lt(0.05).mean() < 0.08


def test_estimated_changes_are_unbiased(runs):
    error = (runs["difference"] - runs["truth"]).groupby([runs["indicator"], runs["group"]])
    spread = runs.groupby(["indicator", "group"])["difference"].std() / np.sqrt(N_PAIRS)
    assert (error.mean().abs() < 3.5 * spread).all()


def test_stacked_pairs_equal_separate_designs(populations, runs):
    after_pop, before_pop = populations
    for pair in range(3):
        waves = []
        for population, seed, bias in (
            (after_pop, 10_000 + pair, None),
            (before_pop, 20_000 + pair, BEFORE_BIAS),
        ):
            data = _indicators(
                analysis_frame(draw_sample(population, seed, bias=bias), CODEBOOK)[COLUMNS]
            )
            design = yl.SurveyDesign(data, strata="district", clusters="school")
            waves.append(
                design.rake(
                    with_unknown_sex(yl.load_margins(codebook=CODEBOOK), data, codebook=CODEBOOK)
                )
            )
        own = yl.change(waves[0], waves[1], "feel_safe_dark", by="district")
        own = own[own["category"] == "True"].set_index("district")
        stacked = runs[
            (runs["pair"].astype(int) == pair)
            & (runs["indicator"] == "feel_safe_dark")
            & (runs["group"] != "All")
        ].set_index("group")
        for column in ("difference", "se", "df", "p_value"):
            np.testing.assert_allclose(stacked[column], own.loc[stacked.index, column], rtol=1e-9)
