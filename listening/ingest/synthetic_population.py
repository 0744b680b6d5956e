"""The synthetic population behind the bundled sample: who lives where, and how they answer.

Used by :mod:`listening.ingest.synthetic`, which draws samples from it. The
population matches the ONS mid-2020 counts by district and single year of
age, split by sex with each district's Census 2021 ratio; answers follow a
model in which they depend on age, gender, district and a school effect.

Examples
--------
>>> import numpy as np
>>> from listening.ingest.codebook import load_codebook
>>> people, schools = build_people(np.random.default_rng(1), load_codebook())
>>> int((people.age == 11).sum())
11070
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from listening.ingest.codebook import Codebook, Question
from listening.paths import SAMPLE_DIR

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
    >>> from listening.ingest.codebook import load_codebook
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
        >>> from listening.ingest.codebook import load_codebook
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
    >>> from listening.ingest.codebook import load_codebook
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
    >>> from listening.ingest.codebook import load_codebook
    >>> people, schools = build_people(np.random.default_rng(1), load_codebook())
    >>> answers = answer(np.random.default_rng(2), people, schools, load_codebook())
    >>> sorted(answers.multi)
    ['safer_options', 'worries']
    """

    single: dict[str, np.ndarray]
    multi: dict[str, tuple[np.ndarray, np.ndarray]]
    text: np.ndarray


def answer(
    rng: np.random.Generator,
    people: People,
    schools: pd.DataFrame,
    codebook: Codebook,
    shifts: Mapping[str, Sequence[float]] | None = None,
) -> Answers:
    """Draw everyone's answers from the model (vectorised over people).

    ``shifts`` adds, for a scale question (``safe_dark``), one number per
    district (codebook order) to its latent variable: another wave of the
    same population. The random draws do not depend on ``shifts``, so with
    the same ``rng`` seed every other answer stays exactly the same.

    Examples
    --------
    >>> from listening.ingest.codebook import load_codebook
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
    shifts = shifts or {}
    for name, scale in {**SAFETY, **OTHER_SCALES}.items():
        if name in shifts:
            scale = replace(scale, district=tuple(np.add(scale.district, shifts[name])))
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


def population_frame(
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
