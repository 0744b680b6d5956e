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
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from listening.errors import ListeningError
from listening.ingest.codebook import Codebook, Question, load_codebook
from listening.paths import SAMPLE_DIR

DEFAULT_SEED = 2021
DEFAULT_SCHOOLS = 6
DEFAULT_RESPONDENTS = 1700
MYE_FILE = SAMPLE_DIR / "ons_mye2020_age11_18_by_district.csv"
CENSUS_FILE = SAMPLE_DIR / "census2021_under20_sex_by_district.csv"

# --- Population structure (districts in codebook order) ---------------------

DISTRICT_PREFIX = ("CAM", "ECA", "FEN", "HUN", "SCA", "PET")
# Ethnicity shares per district: White, Mixed, Asian, Black, Other, Prefer not to say.
ETHNICITY = np.array(
    [
        [0.650, 0.090, 0.160, 0.040, 0.040, 0.020],
        [0.900, 0.040, 0.025, 0.010, 0.010, 0.015],
        [0.910, 0.030, 0.020, 0.010, 0.015, 0.015],
        [0.870, 0.050, 0.035, 0.015, 0.010, 0.020],
        [0.855, 0.055, 0.055, 0.010, 0.010, 0.015],
        [0.630, 0.070, 0.200, 0.050, 0.030, 0.020],
    ]
)
ANOTHER_WAY, GENDER_NOT_SAID = 0.02, 0.02
PUPILS_PER_SCHOOL = 700  # Years 7-11 per secondary school, on average
STUDENTS_PER_COLLEGE = 2500
SIXTH_FORM_SCHOOLS = 0.7  # share of secondary schools with a sixth form
SIXTH_FORM_SHARE = 0.6  # of Years 12-13 at a school sixth form rather than a college
SCHOOL_SD = 0.2  # sd of the school effect on the latent scales (logit scale)

# --- Response propensities (relative) ----------------------------------------

RESPONSE_DISTRICT = np.array([1.0, 1.1, 0.7, 1.0, 1.1, 0.9])
RESPONSE_AGE_BAND = np.array([1.15, 1.0, 0.45])
RESPONSE_SEX = np.array([1.35, 1.0, 1.15])  # Female, Male, Not known
SCHOOL_TAKE_SD = 0.3  # lognormal spread of how much of a school takes part


@dataclass(frozen=True)
class Scale:
    """An ordered answer from a latent score: higher score, earlier option.

    ``latent = mean + age*a + girl*g + other*o + district[d] + school*s
    + person*u + violence*v + logistic noise``, where ``a`` is age centred and
    scaled, ``u`` a person's general sense of unsafety and ``v`` their exposure
    to street violence. ``cuts`` (ascending) split the latent into the options,
    the last option lowest; ``order`` maps that scale rank to option positions.

    Examples
    --------
    >>> Scale(0.0, cuts=(0.0,)).cuts
    (0.0,)
    """

    mean: float
    age: float = 0.0
    girl: float = 0.0
    other: float = 0.0
    district: tuple[float, ...] = (0.0,) * 6
    school: float = 1.0
    person: float = 0.0
    violence: float = 0.0
    cuts: tuple[float, ...] = (-2.0, 0.0, 2.0)
    order: tuple[int, ...] | None = None
    missing: float = 0.0
    blank: float = 0.01


@dataclass(frozen=True)
class Tick:
    """One option of a multi-select question: ticked with logistic probability.

    Examples
    --------
    >>> Tick(-1.0).mean
    -1.0
    """

    mean: float
    age: float = 0.0
    girl: float = 0.0
    other: float = 0.0
    district: tuple[float, ...] = (0.0,) * 6
    school: float = 0.5
    person: float = 0.0
    violence: float = 0.0


SAFETY = {
    "safe_day": Scale(
        2.9, -0.25, -0.3, -0.6, (0, 0.3, -0.3, 0.1, 0.3, -0.3), person=-0.8, missing=0.02
    ),
    "safe_dark": Scale(
        0.85, -0.5, -1.1, -0.7, (-0.1, 0.3, -0.4, 0.1, 0.4, -0.4), person=-0.9, missing=0.035
    ),
    "safe_school": Scale(2.6, 0.0, -0.1, -0.9, school=1.3, person=-0.7, missing=0.02),
    "safe_travel": Scale(
        2.3, -0.2, -0.45, -0.6, (0, -0.1, -0.2, 0, -0.1, -0.2), person=-0.8, missing=0.02
    ),
    "safe_town": Scale(
        1.4, -0.35, -0.6, -0.7, (-0.3, 0.3, -0.6, 0, 0.3, -0.8), 0.8, -0.8, missing=0.04
    ),
    "safe_online": Scale(1.9, -0.25, -0.5, -0.6, school=0.5, person=-0.6, missing=0.06),
}
OTHER_SCALES = {
    "seen_knife": Scale(
        -2.2, 0.5, -0.3, 0.2, (0.3, -0.3, 0.3, 0, -0.4, 0.5), 0.3, 0.3, 0.9, (0.0,), missing=0.035
    ),
    "hurt_threatened": Scale(
        -2.5, -0.1, -0.1, 0.8, (0.1, 0, 0.2, 0, -0.1, 0.2), 0.3, 0.6, 0.5, (0.0,), missing=0.04
    ),
    "trusted_adult": Scale(
        1.3, -0.3, 0.1, -0.6, school=0.3, person=-0.4, cuts=(-1.4, 0.2), order=(0, 2, 1)
    ),
    "trust_police": Scale(
        0.8,
        -0.35,
        -0.1,
        -0.5,
        (0, 0.2, -0.2, 0.1, 0.2, -0.3),
        0.5,
        -0.4,
        cuts=(-1.8, -0.3, 2.4),
        missing=0.13,
        blank=0.015,
    ),
    "good_places": Scale(
        0.2,
        -0.4,
        -0.1,
        0.0,
        (0.4, 0, -0.6, -0.1, 0.1, -0.2),
        0.5,
        -0.3,
        cuts=(-2.6, -1.0, 0.8, 2.8),
        blank=0.02,
    ),
}
WORRIES = (
    Tick(-0.6, 0.35, -0.1, 0, (0.2, -0.2, 0.3, 0, -0.4, 0.5), person=0.4, violence=0.8),
    Tick(-0.8, 0.2, 0.1, 0, (0.2, -0.4, 0.2, -0.1, -0.4, 0.5), person=0.5, violence=0.9),
    Tick(-1.5, 0.1, 0, 0, (0.2, -0.4, 0.1, -0.1, -0.4, 0.6), person=0.3, violence=0.8),
    Tick(-1.0, -0.1, -0.1, 0, (0, 0, 0.2, 0, -0.2, 0.2), person=0.4, violence=0.6),
    Tick(-0.8, 0.1, 0, 0, (0.1, 0, 0.4, 0.1, -0.1, 0.3), person=0.3, violence=0.3),
    Tick(-1.2, -0.4, 0.3, 0.8, person=0.5, violence=0.1),
    Tick(-2.4, 0.4, 1.5, 0.8, (0.3, 0, 0, 0, -0.1, 0.1), person=0.4, violence=0.1),
    Tick(-1.9, 0.1, 0.5, 0.8, person=0.4),
)
WORRIES_BLANK = 0.04
SAFER_OPTIONS = (
    Tick(-0.9, 0.2, 0.5, 0, (0, 0.2, 0.3, 0.1, 0.2, 0), person=0.4),
    Tick(-0.6, -0.1, 0.1, 0, (0, 0, 0.2, 0, -0.1, 0.2), person=0.3, violence=0.3),
    Tick(-0.5, -0.3, -0.1, 0, (-0.1, 0.2, 0.4, 0.1, 0, 0.1)),
    Tick(-1.1, 0, 0.2, 0, person=0.3, violence=0.2),
    Tick(-1.6, 0.5, 0.3, 0, (0.1, 0.3, 0.4, 0.2, 0.3, 0)),
    Tick(-1.5, -0.2, 0.3, 0.5, person=0.3),
    Tick(-1.3, -0.2, 0, 0, (0.1, -0.2, 0.1, 0, -0.2, 0.3), violence=0.5),
    Tick(-3.0),
)
SAFER_OPTIONS_BLANK = 0.03

# --- Free text ----------------------------------------------------------------

# Phrases per theme of the codebook's coding frame (each holds one of its keywords).
PHRASES: dict[str, tuple[str, ...]] = {
    "Street lighting": (
        "more street lights",
        "better lighting on the way home from school",
        "the alley by the shops needs lights",
        "its too dark by the rec at night",
        "fix the broken streetlight on our road",
        "brighter lighting in the underpass",
        "lamp posts that actually work",
    ),
    "Police presence": (
        "more police around at night",
        "police patrols near the station",
        "see PCSOs walking round more",
        "police officers who actually listen to us",
        "more police on the streets",
        "more patrols on the high street",
    ),
    "Youth clubs and activities": (
        "a youth club that is open on fridays",
        "more things to do so people arent bored",
        "somewhere to go after school like a youth centre",
        "free football sessions",
        "a better skate park",
        "more activities for teenagers in the holidays",
        "sports clubs that dont cost loads",
    ),
    "CCTV and cameras": (
        "more cctv",
        "CCTV in the underpass",
        "cameras on the rec and near the shops",
        "working cameras outside the shops",
    ),
    "Safer transport": (
        "more buses so i dont have to walk home",
        "buses that run later",
        "somewhere safe to lock my bike",
        "a safe way to cycle to school",
        "cheaper taxi home at night",
        "the train station needs staff",
    ),
    "Trusted adults": (
        "someone to talk to at school who isnt a teacher",
        "youth workers on the street",
        "teachers who take it seriously when you report something",
        "a mentor for people who are struggling",
        "parents knowing where their kids are",
        "more adults around",
    ),
    "Knives and weapons": (
        "stop people carrying knives",
        "knife arches at school",
        "take weapons off the street",
        "tell kids what a stabbing actually does",
        "harsher punishments for carrying a blade",
        "knife bins in more places",
    ),
    "Drugs": (
        "get rid of the drug dealers by the shops",
        "stop the dealing outside the chip shop",
        "people smoke weed everywhere",
        "less drugs around",
        "catch the dealers who use younger kids",
    ),
    "Bullying and harassment": (
        "stop bullying",
        "men catcalling girls on the way home",
        "schools need to deal with bullies",
        "stop harassment of girls",
        "people get harassed for how they look",
    ),
    "Online safety": (
        "less fights filmed and put on snapchat",
        "take down threats on social media",
        "instagram and tiktok should ban people who threaten others",
        "teach us how to stay safe online",
        "block people sending stuff on the internet",
    ),
    "": (
        "not sure",
        "nothing really",
        "idk",
        "its fine where i live",
        "people being nicer to each other",
        "nothing its already safe",
    ),
}
# Personal details, as real free text holds them (fictional: example.com, Ofcom drama numbers).
PERSONAL = (
    "tell Jamie Smith to stop",
    "Alex Taylor from year 9 keeps threatening people",
    "Chloe Brown knows who has the knives",
    "Tyler Jones and his mates start fights",
    "email me at sam@example.com",
    "contact me alex.t@example.com",
    "my email is j.smith@example.org",
    "call me on 07700 900123",
    "my number is 07700900456",
    "text me 07700 900 789",
)
# Which themes a tick makes likely: safer_options positions, then worries positions.
SAFER_THEME = (0, 1, 2, 3, 4, 5, 6, None)
WORRY_THEME = (7, 6, 6, None, None, 8, 8, 9, None)
CONNECTORS = np.array([" and ", ". ", ", ", " also ", " & "], dtype=object)
ENDINGS = np.array(["", "", "", ".", "!"], dtype=object)


# --- Population ---------------------------------------------------------------


@dataclass(frozen=True)
class People:
    """Covariates of a set of young people, as arrays of codes (internal).

    Examples
    --------
    >>> people = build_people(np.random.default_rng(1), load_codebook())[0]
    >>> int(people.age.min()), int(people.age.max())
    (11, 18)
    """

    district: np.ndarray  # codebook district position
    age: np.ndarray
    year: np.ndarray  # school year position (0 = Year 7)
    census_sex: np.ndarray  # 0 Female, 1 Male
    gender: np.ndarray  # gender label position (0 Girl, 1 Boy, 2 another way, 3 not said)
    ethnicity: np.ndarray  # ethnicity label position
    school: np.ndarray  # position in the school table

    def take(self, rows: np.ndarray) -> People:
        """The people at positions ``rows``.

        Examples
        --------
        >>> people = build_people(np.random.default_rng(1), load_codebook())[0]
        >>> len(people.take(np.arange(5)).age)
        5
        """
        return People(**{k: v[rows] for k, v in self.__dict__.items()})


def build_people(rng: np.random.Generator, codebook: Codebook) -> tuple[People, pd.DataFrame]:
    """Every young person aged 11-18 with age, sex, gender, ethnicity and school.

    Returns the people and the school table (columns ``school``,
    ``district``, ``school_type``, ``effect``).

    Examples
    --------
    >>> people, schools = build_people(np.random.default_rng(1), load_codebook())
    >>> schools["school"].iloc[0][:3]
    'CAM'
    """
    districts = list(codebook.districts)
    mye = pd.read_csv(MYE_FILE)
    mye["d"] = mye["district_code"].map(
        {code: i for i, code in enumerate(codebook.districts.values())}
    )
    mye = mye.sort_values(["d", "age"])
    district = np.repeat(mye["d"].to_numpy(), mye["persons"].to_numpy())
    age = np.repeat(mye["age"].to_numpy(), mye["persons"].to_numpy())
    n = len(age)

    older = (rng.random(n) < 7 / 12) & (age > 11) & (age < 18)
    year = np.clip(age - 11 - older, 0, 6)

    census = (
        pd.read_csv(CENSUS_FILE).set_index("district_code").loc[list(codebook.districts.values())]
    )
    share = (
        census["females_under20"] / (census["females_under20"] + census["males_under20"])
    ).to_numpy()
    sizes = np.bincount(district, minlength=len(districts))
    females = np.round(sizes * share).astype(int)
    order = np.lexsort((rng.random(n), district))
    rank = np.empty(n, dtype=int)
    rank[order] = np.arange(n) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    census_sex = (rank >= females[district]).astype(np.int8)

    draw = rng.random(n)
    gender = np.where(
        draw < ANOTHER_WAY, 2, np.where(draw < ANOTHER_WAY + GENDER_NOT_SAID, 3, census_sex)
    )
    cumulative = np.cumsum(ETHNICITY, axis=1)[district]
    ethnicity = (rng.random(n)[:, None] > cumulative).sum(axis=1).clip(0, ETHNICITY.shape[1] - 1)

    schools, school = _schools(rng, district, year, districts)
    people = People(district, age, year, census_sex, gender.astype(np.int8), ethnicity, school)
    return people, schools


def _schools(
    rng: np.random.Generator, district: np.ndarray, year: np.ndarray, districts: list[str]
) -> tuple[pd.DataFrame, np.ndarray]:
    """Create each district's schools and colleges and place every pupil in one."""
    school = np.empty(len(district), dtype=np.int64)
    rows: list[tuple[str, str, str]] = []
    for d, name in enumerate(districts):
        lower = np.flatnonzero((district == d) & (year <= 4))
        upper = np.flatnonzero((district == d) & (year > 4))
        n_secondary = max(5, round(len(lower) / PUPILS_PER_SCHOOL))
        n_sixth = max(2, round(n_secondary * SIXTH_FORM_SCHOOLS))
        n_college = max(1, round(len(upper) / STUDENTS_PER_COLLEGE))
        types = ["11-18"] * n_sixth + ["11-16"] * (n_secondary - n_sixth) + ["college"] * n_college
        types = [types[i] for i in rng.permutation(len(types))]
        weight = rng.lognormal(0.0, 0.4, len(types))
        first = len(rows)
        rows += [(f"{DISTRICT_PREFIX[d]}{i + 1:02d}", name, t) for i, t in enumerate(types)]
        kind = np.array(types)
        secondary = np.flatnonzero(kind != "college")
        school[lower] = first + _place(rng, secondary, weight, len(lower))
        sixth = rng.random(len(upper)) < SIXTH_FORM_SHARE
        school[upper[sixth]] = first + _place(
            rng, np.flatnonzero(kind == "11-18"), weight, sixth.sum()
        )
        school[upper[~sixth]] = first + _place(
            rng, np.flatnonzero(kind == "college"), weight, (~sixth).sum()
        )
    table = pd.DataFrame(rows, columns=["school", "district", "school_type"])
    table["effect"] = rng.normal(0.0, SCHOOL_SD, len(table))
    return table, school


def _place(rng: np.random.Generator, options: np.ndarray, weight: np.ndarray, n: int) -> np.ndarray:
    probs = weight[options] / weight[options].sum()
    return options[rng.choice(len(options), size=n, p=probs)]


# --- Answers --------------------------------------------------------------------


@dataclass(frozen=True)
class Answers:
    """Answers as codes (internal): single questions as label positions (-1 blank),
    multi-select as tick matrices with an answered mask, free text as objects.

    Examples
    --------
    >>> people, schools = build_people(np.random.default_rng(1), load_codebook())
    >>> answers = answer(np.random.default_rng(2), people, schools, load_codebook())
    >>> sorted(answers.multi)
    ['safer_options', 'worries']
    """

    single: dict[str, np.ndarray]
    multi: dict[str, tuple[np.ndarray, np.ndarray]]
    text: np.ndarray


def answer(
    rng: np.random.Generator, people: People, schools: pd.DataFrame, codebook: Codebook
) -> Answers:
    """Draw everyone's answers from the model (vectorised over people).

    Examples
    --------
    >>> people, schools = build_people(np.random.default_rng(1), load_codebook())
    >>> answers = answer(np.random.default_rng(2), people, schools, load_codebook())
    >>> answers.single["safe_dark"].min()
    np.int8(-1)
    """
    n = len(people.age)
    covariates = {
        "age": (people.age - 14.5) / 2.3,
        "girl": (people.gender == 0).astype(float),
        "other": (people.gender == 2) + 0.5 * (people.gender == 3),
        "school": schools["effect"].to_numpy()[people.school],
        "person": rng.normal(size=n),
    }
    covariates["violence"] = 0.5 * covariates["person"] + np.sqrt(0.75) * rng.normal(size=n)
    single: dict[str, np.ndarray] = {}
    for name, scale in {**SAFETY, **OTHER_SCALES}.items():
        single[name] = _scale(rng, scale, covariates, people.district, codebook.question(name))
    worries = _ticks(rng, WORRIES, covariates, people.district)
    none = ~worries.any(axis=1)
    answered_worries = rng.random(n) >= WORRIES_BLANK
    worries = np.column_stack([worries, none]) & answered_worries[:, None]
    safer = _ticks(rng, SAFER_OPTIONS, covariates, people.district)
    answered_safer = safer.any(axis=1) & (rng.random(n) >= SAFER_OPTIONS_BLANK)
    safer &= answered_safer[:, None]
    multi = {"worries": (worries, answered_worries), "safer_options": (safer, answered_safer)}
    text = _free_text(rng, people, worries, safer)
    return Answers(single, multi, text)


def _linear(
    term: Scale | Tick, covariates: dict[str, np.ndarray], district: np.ndarray
) -> np.ndarray:
    return (
        term.mean
        + term.age * covariates["age"]
        + term.girl * covariates["girl"]
        + term.other * covariates["other"]
        + np.asarray(term.district)[district]
        + term.school * covariates["school"]
        + term.person * covariates["person"]
        + term.violence * covariates["violence"]
    )


def _scale(
    rng: np.random.Generator,
    scale: Scale,
    covariates: dict[str, np.ndarray],
    district: np.ndarray,
    question: Question,
) -> np.ndarray:
    n = len(district)
    latent = _linear(scale, covariates, district) + rng.logistic(size=n)
    rank = len(scale.cuts) - np.searchsorted(np.asarray(scale.cuts), latent)
    codes = np.asarray(scale.order)[rank] if scale.order else rank
    codes = codes.astype(np.int8)
    if question.missing:
        younger = np.exp(-0.3 * covariates["age"])
        codes[rng.random(n) < scale.missing * younger] = len(question.options)
    codes[rng.random(n) < scale.blank] = -1
    return codes


def _ticks(
    rng: np.random.Generator,
    options: Sequence[Tick],
    covariates: dict[str, np.ndarray],
    district: np.ndarray,
) -> np.ndarray:
    logits = np.column_stack([_linear(t, covariates, district) for t in options])
    return rng.random(logits.shape) < 1.0 / (1.0 + np.exp(-logits))


def _free_text(
    rng: np.random.Generator, people: People, worries: np.ndarray, safer: np.ndarray
) -> np.ndarray:
    n = len(people.age)
    themes = list(PHRASES)
    flat = np.array([p for t in themes for p in PHRASES[t]], dtype=object)
    capital = np.array([p[0].upper() + p[1:] for p in flat], dtype=object)
    counts = np.array([len(PHRASES[t]) for t in themes])
    starts = np.cumsum(counts) - counts

    weight = np.ones((n, len(themes)))
    weight[:, -1] = 1.5
    for ticks, mapping, strength in ((safer, SAFER_THEME, 4.0), (worries, WORRY_THEME, 3.0)):
        for position, theme in enumerate(mapping):
            if theme is not None:
                weight[:, theme] += strength * ticks[:, position]

    def phrase() -> np.ndarray:
        cumulative = np.cumsum(weight, axis=1)
        theme = (rng.random(n)[:, None] * cumulative[:, -1:] > cumulative).sum(axis=1)
        return starts[theme] + (rng.random(n) * counts[theme]).astype(int)

    first, second = phrase(), phrase()
    writes = rng.random(n) < 1 / (
        1 + np.exp(-(0.2 + 0.4 * (people.gender == 0) + 0.2 * (people.age - 14.5) / 2.3))
    )
    text = np.where(rng.random(n) < 0.4, capital[first], flat[first])
    two = rng.random(n) < 0.35
    text = text + np.where(two, CONNECTORS[rng.integers(0, len(CONNECTORS), n)] + flat[second], "")
    personal = rng.random(n) < 0.03
    extra = np.array(PERSONAL, dtype=object)[rng.integers(0, len(PERSONAL), n)]
    text = text + np.where(personal, ". " + extra, "") + ENDINGS[rng.integers(0, len(ENDINGS), n)]
    return np.where(writes, text, None)


# --- Frames ------------------------------------------------------------------------


def _categorical(codes: np.ndarray, labels: Sequence[str], ordered: bool = False) -> pd.Categorical:
    return pd.Categorical.from_codes(
        np.asarray(codes, dtype=np.int64), list(labels), ordered=ordered
    )


def _frame(
    people: People, schools: pd.DataFrame, answers: Answers, codebook: Codebook
) -> pd.DataFrame:
    q = codebook.question
    band_of = np.zeros(codebook.age_max + 1, dtype=np.int64)
    for i, (_, low, high) in enumerate(codebook.age_bands):
        band_of[low : high + 1] = i
    sex_codes = np.where(people.gender <= 1, people.gender, 2)
    columns: dict[str, object] = {
        "district": _categorical(people.district, codebook.districts),
        "school": pd.Categorical.from_codes(people.school, schools["school"]),
        "school_type": pd.Categorical.from_codes(
            pd.Categorical(schools["school_type"]).codes[people.school],
            pd.Categorical(schools["school_type"]).categories,
        ),
        "age": people.age.astype(np.int64),
        "age_band": _categorical(band_of[people.age], codebook.age_band_labels, ordered=True),
        "school_year": _categorical(people.year, q("school_year").labels, ordered=True),
        "census_sex": _categorical(people.census_sex, ["Female", "Male"]),
        "gender": _categorical(people.gender, q("gender").labels),
        "sex": _categorical(sex_codes, ["Female", "Male", "Not known"]),
        "ethnicity": _categorical(people.ethnicity, q("ethnicity").labels),
    }
    for name, codes in answers.single.items():
        columns[name] = _categorical(codes, q(name).labels)
    for name, (ticks, answered) in answers.multi.items():
        for position, column in enumerate(q(name).option_columns.values()):
            columns[column] = pd.arrays.BooleanArray(ticks[:, position].copy(), ~answered)
    columns["safer_text"] = pd.array(answers.text, dtype="string")
    return pd.DataFrame(columns)


def make_population(seed: int = DEFAULT_SEED, *, codebook: Codebook | None = None) -> pd.DataFrame:
    """The synthetic population of young people aged 11-18, with their answers.

    Parameters
    ----------
    seed : int
        Seeds everything; the same seed gives the same population.
    codebook : Codebook, optional
        Default: the bundled codebook (the model is written for its questions).

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
    people, schools = build_people(np.random.default_rng([seed, 0]), codebook)
    answers = answer(np.random.default_rng([seed, 1]), people, schools, codebook)
    return _frame(people, schools, answers, codebook)


# --- Sample ------------------------------------------------------------------------


def draw_sample(
    population: pd.DataFrame,
    seed: int,
    *,
    n_schools: int | Sequence[int] | Mapping[str, int] = DEFAULT_SCHOOLS,
    n_respondents: int = DEFAULT_RESPONDENTS,
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

    propensity = (
        RESPONSE_AGE_BAND[population["age_band"].cat.codes.to_numpy()]
        * RESPONSE_SEX[population["sex"].cat.codes.to_numpy()]
        * take[school]
    )
    share = np.bincount(district, minlength=len(districts)) * RESPONSE_DISTRICT
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
    frame = _frame(chosen, schools, answer(rng, chosen, schools, codebook), codebook)
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


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``python -m listening.ingest.synthetic --seed N --out DIR``.

    ``--n-schools`` takes one number for every district or one per district
    (codebook order); ``--rows N`` writes instead a clean benchmark
    ``responses.csv`` of N rows.

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
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
