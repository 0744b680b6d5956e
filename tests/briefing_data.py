"""Hand-made survey data and codebook shared by the briefing-table tests.

Three areas (strata) with four schools each (clusters); a single question with
a "Don't know" missing code and two nets; a multi-select question; a question
whose net is named like an option; a school year with one tiny group (Y13) so
that suppression has something to do. Raked to area totals.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

import listening as yl
from listening.ingest.codebook import Codebook, codebook_from_dict

AREAS = ["North", "South", "East"]
YEARS = ["Y7", "Y8", "Y9", "Y13"]
FEEL = ["Very safe", "Fairly safe", "Fairly unsafe", "Very unsafe"]
WORRIES = ["Knives", "Gangs", "None of these"]
AGREE = ["Agree", "Neither", "Disagree", "Strongly disagree"]
MARGINS = [pd.DataFrame({"area": AREAS, "population": [5000.0, 4000.0, 3000.0]})]


def codebook(**wording: str) -> Codebook:
    """The test codebook; ``wording`` overrides question wordings."""
    return codebook_from_dict(
        {
            "title": "Test survey",
            "source": "Hand-made test data",
            "id_column": "id",
            "questions": [
                {"name": "id", "type": "id"},
                {"name": "area", "type": "single", "options": AREAS},
                {"name": "school", "type": "id"},
                {"name": "year", "type": "single", "options": YEARS},
                {
                    "name": "feel",
                    "wording": wording.get("feel", "How safe do you feel?"),
                    "type": "single",
                    "options": [*FEEL, "Don't know"],
                    "missing": ["Don't know"],
                    "nets": {"Feel safe": FEEL[:2], "Feel unsafe": FEEL[2:]},
                },
                {
                    "name": "worry",
                    "wording": "What worries you?",
                    "type": "multi",
                    "options": WORRIES,
                },
                {
                    "name": "agree",
                    "wording": "There is enough to do",
                    "type": "single",
                    "options": AGREE,
                    "nets": {"Agree": ["Agree"], "Disagree": AGREE[2:]},
                },
            ],
        }
    )


def data(seed: int = 7, *, feel_labels: list[str] | None = None) -> pd.DataFrame:
    """Respondents as ingest types them (categoricals, nullable booleans)."""
    rng = np.random.default_rng(seed)
    sizes = {"North": 150, "South": 110, "East": 70}
    area = np.repeat(AREAS, [sizes[a] for a in AREAS])
    n = len(area)
    school = np.array([f"{a[0]}{rng.integers(1, 5)}" for a in area])
    year = rng.choice(YEARS[:3], size=n, p=[0.4, 0.35, 0.25]).astype(object)
    year[rng.choice(n, size=6, replace=False)] = "Y13"
    shift = np.where(area == "East", 0.25, 0.0)
    u = rng.random(n) + shift
    feel = np.select([u < 0.3, u < 0.65, u < 0.9, u < 1.05], FEEL, "Don't know")
    labels = feel_labels or FEEL
    feel = np.array([labels[FEEL.index(v)] if v in FEEL else None for v in feel], dtype=object)
    answered = rng.random(n) > 0.1
    ticks = {w: (rng.random(n) < p) for w, p in zip(WORRIES, [0.4, 0.3, 0.0], strict=True)}
    agree = rng.choice(AGREE[:3], size=n, p=[0.5, 0.3, 0.2])
    frame = pd.DataFrame(
        {
            "id": [f"R{i:04d}" for i in range(n)],
            "area": pd.Categorical(area, categories=AREAS),
            "school": school,
            "year": pd.Categorical(year, categories=YEARS, ordered=True),
            "feel": pd.Categorical(feel, categories=labels, ordered=True),
            "agree": pd.Categorical(agree, categories=AGREE),
        }
    )
    for option, ticked in ticks.items():
        column = f"worry__{option.lower().replace(' ', '_')}"
        frame[column] = pd.array(ticked, dtype="boolean")
        frame.loc[~answered, column] = pd.NA
    return frame


def design(frame: pd.DataFrame | None = None, *, raked: bool = True) -> yl.SurveyDesign:
    """A stratified, clustered design over ``frame``, raked to area totals."""
    frame = data() if frame is None else frame
    out = yl.SurveyDesign(frame, strata="area", clusters="school")
    return out.rake(MARGINS) if raked else out
