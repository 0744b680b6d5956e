"""A synthetic Youth Listening population and survey sample with known truth.

The population is every young person aged 11 to 18 in Cambridgeshire and
Peterborough: district x single year of age counts equal the ONS mid-2020
estimates exactly (``sample_data/ons_mye2020_age11_18_by_district.csv``), and
each district's females and males follow its Census 2021 under-20 sex ratio
(``census2021_under20_sex_by_district.csv``). Everyone attends a school or
college of their district (11-16 schools, schools with sixth forms, further
education colleges; sizes vary) and answers the whole questionnaire of the
bundled codebook, from a model in which answers depend on age, gender,
district and school (a random school effect), with item non-response,
"Don't know" and "Prefer not to say" at realistic rates.

The sample is drawn as school surveys are: in each district six schools or
colleges with probability proportional to size, then a similar number of
respondents in each, with response propensities that over-represent girls
and 11-15s and under-represent 16-18s and Fenland. Within a district,
propensity is a product of an age band factor and a sex factor, so raking
to district x age band and district x sex margins removes the bias.

Examples
--------
>>> from listening.ingest.synthetic import make_population, draw_sample, analysis_frame
>>> population = make_population(1)
>>> sample = draw_sample(population, seed=2)
>>> 1500 < len(sample) < 1900
True
>>> analysis_frame(sample)["safe_dark"].cat.categories.tolist()
['Very safe', 'Fairly safe', 'Fairly unsafe', 'Very unsafe']
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from listening.errors import ListeningError
from listening.ingest.codebook import Codebook, Question, load_codebook
from listening.ingest.synthetic_population import (
    OTHER_SCALES,
    SAFETY,
    answer,
    build_people,
    population_frame,
)
from listening.ingest.synthetic_waves import (
    BEFORE_DRAW_OFFSET,
    BEFORE_RESPONSE,
    BEFORE_SHIFTS,
    as_before,
)
from listening.paths import SAMPLE_DIR

DEFAULT_SEED = 2021
DEFAULT_SCHOOLS = 6
DEFAULT_RESPONDENTS = 1700
#: The 2024 wave's codebook (hand-written; see :mod:`listening.ingest.synthetic_waves`).
BEFORE_CODEBOOK = SAMPLE_DIR / "wave2024" / "codebook.yaml"

# --- Response propensities (relative) ----------------------------------------

RESPONSE_DISTRICT = np.array([1.0, 1.1, 0.7, 1.0, 1.1, 0.9])
RESPONSE_AGE_BAND = np.array([1.15, 1.0, 0.45])
RESPONSE_SEX = np.array([1.35, 1.0, 1.15])  # Female, Male, Not known
SCHOOL_TAKE_SD = 0.3  # lognormal spread of how much of a school takes part
SCALES = (*SAFETY, *OTHER_SCALES)


@dataclass(frozen=True)
class ResponseBias:
    """Relative response propensities of a survey wave (see :func:`draw_sample`).

    Within a district, propensity is ``age_band[band] x sex[sex]``, so raking
    to district x age band and district x sex removes the bias.

    Examples
    --------
    >>> ResponseBias().district.tolist()
    [1.0, 1.1, 0.7, 1.0, 1.1, 0.9]
    """

    district: np.ndarray = field(default_factory=lambda: RESPONSE_DISTRICT)
    age_band: np.ndarray = field(default_factory=lambda: RESPONSE_AGE_BAND)
    sex: np.ndarray = field(default_factory=lambda: RESPONSE_SEX)


def make_population(
    seed: int = DEFAULT_SEED,
    *,
    codebook: Codebook | None = None,
    shifts: Mapping[str, Sequence[float]] | None = None,
) -> pd.DataFrame:
    """The synthetic population of young people aged 11-18, with their answers.

    Parameters
    ----------
    seed : int
        Seeds everything; the same seed gives the same population.
    codebook : Codebook, optional
        Default: the bundled codebook (the model is written for its questions).
    shifts : mapping of question to six numbers, optional
        Another wave of the same people: for a scale question, one number per
        district (codebook order) added to its latent variable (see
        :data:`listening.ingest.synthetic_waves.BEFORE_SHIFTS`). Every other
        answer is the same as without shifts.

    Returns
    -------
    DataFrame
        One row per young person: ``district``, ``school``, ``school_type``,
        ``age``, ``age_band``, ``school_year``, ``census_sex`` (Female/Male, as
        the Census counts), ``gender``, ``sex`` (derived from gender as
        ingest does), ``ethnicity``, every single-choice answer as a
        categorical over the question's labels *including* missing codes
        (NaN = left blank), multi-select answers as nullable boolean option
        columns (NA = not answered) and ``safer_text``. Use
        :func:`analysis_frame` for the typed shape ingest produces.

    Examples
    --------
    >>> population = make_population(1)
    >>> int((population["age"] == 11).sum())  # ONS mid-2020: all 11-year-olds
    11070
    """
    codebook = codebook or load_codebook()
    unknown = sorted(set(shifts or {}) - set(SCALES))
    if unknown:
        raise ListeningError(
            f"make_population: shifts for {unknown}, which are not scale questions of the "
            f"model; shift one of {sorted(SCALES)}."
        )
    people, schools = build_people(np.random.default_rng([seed, 0]), codebook)
    answers = answer(np.random.default_rng([seed, 1]), people, schools, codebook, shifts)
    return population_frame(people, schools, answers, codebook)


# --- Sample ------------------------------------------------------------------------


def draw_sample(
    population: pd.DataFrame,
    seed: int,
    *,
    n_schools: int | Sequence[int] | Mapping[str, int] = DEFAULT_SCHOOLS,
    n_respondents: int = DEFAULT_RESPONDENTS,
    bias: ResponseBias | None = None,
) -> pd.DataFrame:
    """Draw a school survey sample from the population (vectorised, a few ms).

    Stage 1: in each district, ``n_schools`` schools or colleges with
    probability proportional to size (sequential Poisson sampling: the
    smallest ``uniform / size`` keys). Stage 2: in a chosen school each pupil
    responds with probability ``c_d x age band factor x sex factor x take-up
    / school size``, as when a school surveys a few classes: schools give
    similar numbers of respondents (take-up varies lognormally), and every
    young person of a district has the same chance before the age and sex
    factors. ``c_d`` gives district ``d`` an expected share of
    ``n_respondents`` proportional to its population times a district
    factor. Girls and 11-15s respond more, 16-18s and Fenland (factor 0.7)
    less.

    Parameters
    ----------
    population : DataFrame
        From :func:`make_population`.
    seed : int
        Seeds the draw.
    n_schools : int, sequence of int or mapping of district to int
        Schools per district (a sequence follows the codebook's district order).
    n_respondents : int
        Expected number of respondents.
    bias : ResponseBias, optional
        The response propensities; default those described above.

    Returns
    -------
    DataFrame
        The respondents' rows of ``population`` in random order (index
        0..n-1) with a ``respondent_id`` column first (``YL00001``, ...).

    Examples
    --------
    >>> sample = draw_sample(make_population(1), seed=5, n_schools=3)
    >>> sample.groupby("district", observed=True)["school"].nunique().tolist()
    [3, 3, 3, 3, 3, 3]
    """
    rng = np.random.default_rng([seed, 2])
    districts = population["district"].cat.categories
    school = population["school"].cat.codes.to_numpy()
    district = population["district"].cat.codes.to_numpy()
    n_total = len(population["school"].cat.categories)
    school_district = np.zeros(n_total, dtype=np.int64)
    school_district[school] = district
    wanted = _per_district(n_schools, list(districts))

    size = np.maximum(np.bincount(school, minlength=n_total), 1).astype(float)
    order = np.lexsort((rng.random(n_total) / size, school_district))
    counts = np.bincount(school_district, minlength=len(districts))
    rank = np.arange(n_total) - np.repeat(np.cumsum(counts) - counts, counts)
    chosen = np.zeros(n_total, dtype=bool)
    chosen[order] = rank < wanted[school_district[order]]
    take = rng.lognormal(0.0, SCHOOL_TAKE_SD, n_total) * chosen / size

    bias = bias or ResponseBias()
    propensity = (
        bias.age_band[population["age_band"].cat.codes.to_numpy()]
        * bias.sex[population["sex"].cat.codes.to_numpy()]
        * take[school]
    )
    share = np.bincount(district, minlength=len(districts)) * bias.district
    expected = n_respondents * share / share.sum()
    scale = expected / np.bincount(district, propensity, minlength=len(districts))
    probability = np.minimum(1.0, propensity * scale[district])
    rows = rng.permutation(np.flatnonzero(rng.random(len(probability)) < probability))
    sample = population.take(rows).reset_index(drop=True)
    sample.insert(0, "respondent_id", pd.array(_ids(len(sample)), dtype="string"))
    return sample


def _per_district(
    n_schools: int | Sequence[int] | Mapping[str, int], districts: list[str]
) -> np.ndarray:
    if isinstance(n_schools, int):
        return np.full(len(districts), n_schools)
    if isinstance(n_schools, Mapping):
        return np.array([n_schools[d] for d in districts])
    if len(n_schools) != len(districts):
        raise ListeningError(
            f"n_schools needs one number per district ({len(districts)}: "
            f"{', '.join(districts)}), got {list(n_schools)}; pass one number or one per district."
        )
    return np.asarray(n_schools)


def _ids(n: int, start: int = 1) -> list[str]:
    width = max(5, len(str(start + n - 1)))
    return [f"YL{i:0{width}d}" for i in range(start, start + n)]


def analysis_frame(frame: pd.DataFrame, codebook: Codebook | None = None) -> pd.DataFrame:
    """The typed shape ``read_survey`` gives: missing codes become NA.

    Single-choice questions become categoricals over their options (ordered
    for scales), ``age`` ``Int64``, ids and free text ``string``;
    multi-select option columns, ``age_band`` and ``sex`` are kept as they
    are. Columns that are not questions or derived (``school_type``,
    ``census_sex``) are dropped.

    Examples
    --------
    >>> data = analysis_frame(draw_sample(make_population(1), seed=2))
    >>> data["gender"].cat.categories.tolist()
    ['Girl', 'Boy', 'Describe another way']
    """
    codebook = codebook or load_codebook()
    derived = [codebook.age_band_column, str(codebook.weighting.get("sex_column", "sex"))]
    out: dict[str, object] = {}
    for q in codebook.questions.values():
        columns = list(q.option_columns.values()) if q.type == "multi" else [q.name]
        if not all(c in frame for c in columns):
            continue
        if q.type == "single":
            raw = frame[q.name].cat
            labels = list(raw.categories)
            remap = np.array([q.options.index(x) if x in q.options else -1 for x in labels] + [-1])
            out[q.name] = pd.Categorical.from_codes(
                remap[raw.codes.to_numpy()], q.options, ordered=q.ordered
            )
        elif q.type == "integer":
            out[q.name] = frame[q.name].astype("Int64")
        elif q.type in ("id", "text"):
            out[q.name] = frame[q.name].astype("string")
        else:
            out.update({c: frame[c] for c in columns})
    out.update({c: frame[c] for c in derived if c in frame})
    return pd.DataFrame(out, index=frame.index)


# --- Truth -------------------------------------------------------------------------

TRUTH_GROUPS = ("All", "district", "age_band", "gender")
NOT_IN_TRUTH = ("consent", "school_year", "gender", "district")


def population_truth(population: pd.DataFrame, codebook: Codebook | None = None) -> pd.DataFrame:
    """Population shares of every answer and net, overall and by group.

    For each single- and multi-choice question from ``ethnicity`` on, each
    option (and each codebook net) overall (``group_var`` "All") and by
    district, age band and gender: ``proportion`` is the share among the
    group's members with a valid answer (missing codes and blanks left
    out; for multi-select, those who answered the question),
    ``population`` the number giving that answer and ``base`` the number
    with a valid answer.

    Examples
    --------
    >>> truth = population_truth(make_population(1))
    >>> row = truth.query("question == 'safe_day' and category == 'Feel safe' and group == 'All'")
    >>> 0.85 < float(row["proportion"].iloc[0]) < 0.95
    True
    """
    codebook = codebook or load_codebook()
    data = analysis_frame(population, codebook)
    pieces = []
    for q in codebook.of_type("single", "multi"):
        if q.name in NOT_IN_TRUTH or (q.type == "single" and q.name not in data):
            continue
        if q.type == "single":
            codes = data[q.name].cat.codes.to_numpy()
            ticks = (codes[:, None] == np.arange(len(q.options))) & (codes >= 0)[:, None]
            answered = codes >= 0
            nets = list(q.nets.items())
        else:
            columns = [data[c] for c in q.option_columns.values()]
            answered = columns[0].notna().to_numpy()
            ticks = np.column_stack([c.fillna(False).to_numpy(dtype=bool) for c in columns])
            nets = []
        for _, members in nets:
            ticks = np.column_stack(
                [ticks, ticks[:, [q.options.index(m) for m in members]].any(axis=1)]
            )
        categories = list(q.options) + [net for net, _ in nets]
        kinds = ["option"] * len(q.options) + ["net"] * len(nets)
        for group_var in TRUTH_GROUPS:
            if group_var == "All":
                group, labels = np.zeros(len(data), dtype=np.int64), ["All"]
            else:
                group = data[group_var].cat.codes.to_numpy().astype(np.int64)
                labels = list(data[group_var].cat.categories)
            keep = answered & (group >= 0)
            base = np.bincount(group[keep], minlength=len(labels))
            count = np.stack(
                [
                    np.bincount(group[keep], ticks[keep, k], minlength=len(labels))
                    for k in range(len(categories))
                ],
                axis=1,
            )
            pieces.append(
                pd.DataFrame(
                    {
                        "question": q.name,
                        "category": np.tile(categories, len(labels)),
                        "kind": np.tile(kinds, len(labels)),
                        "group_var": group_var,
                        "group": np.repeat(labels, len(categories)),
                        "proportion": (count / base[:, None]).ravel(),
                        "population": count.ravel().astype(np.int64),
                        "base": np.repeat(base, len(categories)),
                    }
                )
            )
    return pd.concat(pieces, ignore_index=True)


# --- Export --------------------------------------------------------------------------

DELIMITED = ("worries",)  # multi-select questions exported as one "; "-separated column
SEPARATOR = "; "


def export_responses(sample: pd.DataFrame, codebook: Codebook | None = None) -> pd.DataFrame:
    """The survey platform's export layout of a sample (as ``responses.csv``).

    Columns in questionnaire order with the codebook's labels: ``consent``
    is "Yes"; ``worries`` is one column of ticked options joined by ``"; "``;
    ``safer_options`` is one 0/1 column per option (blank when not
    answered), so the file shows both multi-select layouts.

    Examples
    --------
    >>> out = export_responses(draw_sample(make_population(1), seed=2))
    >>> out.columns[:4].tolist()
    ['respondent_id', 'consent', 'age', 'school_year']
    >>> "worries" in out and "safer_options__cctv" in out
    True
    """
    codebook = codebook or load_codebook()
    n = len(sample)
    ids = sample["respondent_id"] if "respondent_id" in sample else pd.Series(_ids(n))
    out: dict[str, object] = {}
    for q in codebook.questions.values():
        if q.name == codebook.id_column:
            out[q.name] = ids.to_numpy(dtype=object)
        elif q.name == codebook.consent_column:
            out[q.name] = pd.Categorical.from_codes(
                np.zeros(n, dtype=np.int64), [codebook.consent_value]
            )
        elif q.type == "multi" and q.name in DELIMITED:
            out[q.name] = _joined(sample, q)
        elif q.type == "multi":
            out.update({c: sample[c].astype("Int64").array for c in q.option_columns.values()})
        elif q.name in sample:
            out[q.name] = sample[q.name].array
    return pd.DataFrame(out)


def _joined(sample: pd.DataFrame, q: Question) -> pd.Categorical:
    mask = np.zeros(len(sample), dtype=np.int64)
    for bit, column in enumerate(q.option_columns.values()):
        mask |= sample[column].fillna(False).to_numpy(dtype=bool).astype(np.int64) << bit
    patterns, codes = np.unique(mask, return_inverse=True)
    labels = [SEPARATOR.join(o for b, o in enumerate(q.options) if m >> b & 1) for m in patterns]
    if patterns[0] == 0:
        codes, labels = codes - 1, labels[1:]
    return pd.Categorical.from_codes(codes, labels)


def make_responses(
    n_rows: int, seed: int = DEFAULT_SEED, *, codebook: Codebook | None = None
) -> pd.DataFrame:
    """A large clean export (``n_rows`` respondents) for benchmarks, vectorised.

    Respondents are drawn with replacement from the synthetic population in
    proportion to the sample's response propensities, and answer afresh from
    the model; ids are ``YL0000001``, ... (no dirty rows).

    Examples
    --------
    >>> big = make_responses(1000, seed=3)
    >>> len(big), big["respondent_id"].is_unique
    (1000, True)
    """
    codebook = codebook or load_codebook()
    rng = np.random.default_rng([seed, 3])
    people, schools = build_people(np.random.default_rng([seed, 0]), codebook)
    weight = (
        RESPONSE_DISTRICT[people.district]
        * RESPONSE_AGE_BAND[
            np.searchsorted([low for _, low, _ in codebook.age_bands], people.age, side="right") - 1
        ]
        * RESPONSE_SEX[np.where(people.gender <= 1, people.gender, 2)]
    )
    rows = rng.choice(len(weight), size=n_rows, p=weight / weight.sum())
    chosen = people.take(rows)
    frame = population_frame(chosen, schools, answer(rng, chosen, schools, codebook), codebook)
    frame.insert(0, "respondent_id", _ids(n_rows))
    return export_responses(frame, codebook)


# --- Dirty rows of the bundled sample ---------------------------------------------

# Data rows (1 = first row after the header) that real exports spoil. Inserted rows
# break a rule and are rejected by ingest; messy rows are valid once normalised.
INSERTED = {
    50: "age 10 (below the survey's 11-18)",
    100: "age 19 (above the survey's 11-18)",
    150: 'consent "No" (demographics given, every answer blank)',
    200: "exact duplicate of row 199 (same respondent_id)",
    250: 'district misspelt "Fenlnd"',
    300: "entirely blank row (no id)",
    350: 'unknown answer "Quite safe" in safe_town',
}
MESSY = {
    15: "district with extra spaces",
    45: "district in upper case",
    75: "district given by its ONS code",
    105: 'school_year as a lower-case code ("y10" style)',
    135: 'school_year as a code ("Y8" style)',
    165: "gender in upper case",
    195: "gender with extra spaces",
    225: 'consent given as the code "Y"',
}


def add_dirty_rows(
    responses: pd.DataFrame, extra: pd.DataFrame, codebook: Codebook | None = None
) -> pd.DataFrame:
    """Insert the rows of :data:`INSERTED` (built from ``extra``, one row each)
    and spoil the cells of :data:`MESSY`; ids are renumbered in file order.

    Examples
    --------
    >>> population = make_population(1)
    >>> clean = export_responses(draw_sample(population, seed=2))
    >>> extra = export_responses(population.sample(len(INSERTED), random_state=1))
    >>> dirty = add_dirty_rows(clean, extra)
    >>> len(dirty) - len(clean) == len(INSERTED)
    True
    >>> int(dirty.loc[49, "age"]), dirty.loc[249, "district"]
    (10, 'Fenlnd')
    """
    codebook = codebook or load_codebook()
    records = responses.astype(object).where(responses.notna(), None).to_dict("records")
    spare = extra.astype(object).where(extra.notna(), None).to_dict("records")
    answers = [
        c
        for c in responses.columns
        if c
        not in (
            "respondent_id",
            "consent",
            "age",
            "school_year",
            "gender",
            "district",
            "school",
            "ethnicity",
        )
    ]
    for (position, _), row in zip(sorted(INSERTED.items()), spare, strict=False):
        if position == 50:
            row |= {"age": 10, "school_year": "Year 7"}
        elif position == 100:
            row |= {"age": 19, "school_year": "Year 13"}
        elif position == 150:
            row |= {"consent": "No"} | dict.fromkeys(answers)
        elif position == 200:
            row = dict(records[position - 2])
        elif position == 250:
            row |= {"district": "Fenlnd"}
        elif position == 300:
            row = dict.fromkeys(responses.columns)
        elif position == 350:
            row |= {"safe_town": "Quite safe"}
        records.insert(position - 1, row)
    codes = codebook.districts
    spoil = {
        15: ("district", lambda v: f"  {v} "),
        45: ("district", str.upper),
        75: ("district", lambda v: codes[v]),
        105: ("school_year", lambda v: "y" + v.split()[-1]),
        135: ("school_year", lambda v: "Y" + v.split()[-1]),
        165: ("gender", str.upper),
        195: ("gender", lambda v: f" {v}  "),
        225: ("consent", lambda v: "Y"),
    }
    for position, (column, change) in spoil.items():
        records[position - 1][column] = change(records[position - 1][column])
    number = 0
    for position, row in enumerate(records, start=1):
        if position == 300:
            continue
        if position != 200:
            number += 1
        row["respondent_id"] = _ids(1, number)[0]
    frame = pd.DataFrame(records, columns=responses.columns)
    integers = ["age"] + [c for c in frame if "__" in c]
    return frame.astype({c: "Int64" for c in integers})


# --- Command line ----------------------------------------------------------------


def write_sample(
    out: str | Path,
    seed: int = DEFAULT_SEED,
    *,
    n_schools: int | Sequence[int] = DEFAULT_SCHOOLS,
    codebook: Codebook | None = None,
) -> tuple[Path, Path]:
    """Write ``responses.csv`` (sample with dirty rows) and ``population_truth.csv``.

    The files are byte-identical for the same seed and arguments.

    Examples
    --------
    >>> import tempfile
    >>> responses, truth = write_sample(tempfile.mkdtemp(), seed=1)
    >>> responses.name, truth.name
    ('responses.csv', 'population_truth.csv')
    """
    codebook = codebook or load_codebook()
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    population = make_population(seed, codebook=codebook)
    sample = draw_sample(population, seed, n_schools=n_schools)
    rows = np.random.default_rng([seed, 4]).choice(len(population), len(INSERTED), replace=False)
    extra = export_responses(population.take(rows), codebook)
    responses = add_dirty_rows(export_responses(sample, codebook), extra, codebook)
    truth = population_truth(population, codebook)
    paths = folder / "responses.csv", folder / "population_truth.csv"
    responses.to_csv(paths[0], index=False, lineterminator="\n", encoding="utf-8")
    truth.to_csv(paths[1], index=False, lineterminator="\n", encoding="utf-8")
    return paths


def before_wave(
    seed: int = DEFAULT_SEED,
    *,
    n_schools: int | Sequence[int] = DEFAULT_SCHOOLS,
    codebook: Codebook | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The 2024 wave: its population and its sample, in the 2024 questionnaire's terms.

    The same people as ``make_population(seed)`` answer with the true changes
    of :data:`~listening.ingest.synthetic_waves.BEFORE_SHIFTS`; the sample is
    drawn with seed ``seed + BEFORE_DRAW_OFFSET`` and the 2024 response bias
    (see :mod:`listening.ingest.synthetic_waves`).

    Parameters
    ----------
    seed : int
        The population seed (the bundled 2025 wave's).
    n_schools : int or sequence of int
        Schools per district.
    codebook : Codebook, optional
        The 2025 codebook (default: the bundled one).

    Returns
    -------
    population, sample : DataFrame

    Examples
    --------
    >>> population, sample = before_wave(1)
    >>> "places_to_go" in sample and "safe_online" not in sample
    True
    """
    codebook = codebook or load_codebook()
    population = make_population(seed, codebook=codebook, shifts=BEFORE_SHIFTS)
    bias = ResponseBias(**{k: np.array(v) for k, v in BEFORE_RESPONSE.items()})
    sample = draw_sample(population, seed + BEFORE_DRAW_OFFSET, n_schools=n_schools, bias=bias)
    return as_before(population, codebook), as_before(sample, codebook)


def write_before_wave(
    out: str | Path,
    seed: int = DEFAULT_SEED,
    *,
    n_schools: int | Sequence[int] = DEFAULT_SCHOOLS,
) -> tuple[Path, Path]:
    """Write the 2024 wave's ``responses.csv`` and ``population_truth.csv`` into ``out``.

    Read them with the 2024 codebook (``sample_data/wave2024/codebook.yaml``,
    hand-written like the 2025 one). The files are byte-identical for the
    same seed; the 2024 export has no deliberately broken rows.

    Examples
    --------
    >>> import tempfile
    >>> responses, truth = write_before_wave(tempfile.mkdtemp(), seed=1)
    >>> responses.name, truth.name
    ('responses.csv', 'population_truth.csv')
    """
    codebook = load_codebook()
    before = load_codebook(BEFORE_CODEBOOK)
    population, sample = before_wave(seed, n_schools=n_schools, codebook=codebook)
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    paths = folder / "responses.csv", folder / "population_truth.csv"
    export_responses(sample, before).to_csv(
        paths[0], index=False, lineterminator="\n", encoding="utf-8"
    )
    population_truth(population, before).to_csv(
        paths[1], index=False, lineterminator="\n", encoding="utf-8"
    )
    return paths


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``python -m listening.ingest.synthetic --seed N --out DIR``.

    ``--n-schools`` takes one number for every district or one per district
    (codebook order); ``--rows N`` writes instead a clean benchmark
    ``responses.csv`` of N rows; ``--waves`` writes the 2024 wave too, into
    ``DIR/wave2024`` (:func:`write_before_wave`).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = tempfile.mkdtemp()
    >>> main(["--seed", "3", "--out", folder, "--rows", "50"])
    0
    >>> len((pathlib.Path(folder) / "responses.csv").read_text().splitlines())
    51
    """
    parser = argparse.ArgumentParser(
        prog="python -m listening.ingest.synthetic",
        description="Write the synthetic Youth Listening sample and its population truth.",
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--out", required=True, help="folder to write into")
    parser.add_argument("--n-schools", type=int, nargs="+", default=[DEFAULT_SCHOOLS])
    parser.add_argument("--rows", type=int, help="write a clean benchmark file of this many rows")
    parser.add_argument(
        "--waves", action="store_true", help="also write the 2024 wave into OUT/wave2024"
    )
    args = parser.parse_args(argv)
    if args.rows is not None:
        folder = Path(args.out)
        folder.mkdir(parents=True, exist_ok=True)
        make_responses(args.rows, args.seed).to_csv(
            folder / "responses.csv", index=False, lineterminator="\n", encoding="utf-8"
        )
        return 0
    schools = args.n_schools[0] if len(args.n_schools) == 1 else args.n_schools
    write_sample(args.out, args.seed, n_schools=schools)
    if args.waves:
        write_before_wave(Path(args.out) / "wave2024", args.seed, n_schools=schools)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
