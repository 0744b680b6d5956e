"""The earlier synthetic survey wave (2024): what changed between it and 2025.

The bundled sample (``sample_data/responses.csv``) is the 2025 wave. The 2024
wave (``sample_data/wave2024/``) asks the same young people of the same
synthetic population, with these differences:

- **true changes** (:data:`BEFORE_SHIFTS`): in 2024 Peterborough felt less
  safe after dark (its street lighting was improved in between), and in
  Fenland a few more had seen someone carrying a knife; every other answer of
  every young person is the same in both waves, so the true change elsewhere
  is exactly zero;
- **a question added** in 2025 (:data:`ADDED`: ``safe_online``);
- **a question renamed** (:data:`RENAMED`: 2024's ``places_to_go`` is 2025's
  ``good_places``) and **an option reworded** (:data:`REWORDED`: 2024's
  "Unsure" is 2025's "Not sure" in ``trusted_adult``), which
  ``sample_data/wave2024/harmonise.yaml`` declares;
- **different schools**: each wave draws its own schools, so most schools
  took part in one wave only;
- **a different response bias** (:data:`BEFORE_RESPONSE`): in 2024 boys and
  16-18s responded relatively more, Cambridge less.

Examples
--------
>>> sorted(BEFORE_SHIFTS)
['safe_dark', 'seen_knife']
>>> RENAMED
{'good_places': 'places_to_go'}
"""

from __future__ import annotations

import pandas as pd

from listening.ingest.codebook import Codebook

BEFORE_YEAR = 2024
AFTER_YEAR = 2025
#: Latent shifts of the 2024 wave, one per district (codebook order: Cambridge, East
#: Cambridgeshire, Fenland, Huntingdonshire, South Cambridgeshire, Peterborough).
BEFORE_SHIFTS: dict[str, tuple[float, ...]] = {
    "safe_dark": (0.0, 0.0, 0.0, 0.0, 0.0, -0.6),
    "seen_knife": (0.0, 0.0, 0.2, 0.0, 0.0, 0.0),
}
#: Relative response propensities of the 2024 wave (``ResponseBias`` fields).
BEFORE_RESPONSE: dict[str, tuple[float, ...]] = {
    "district": (0.8, 1.0, 0.8, 1.1, 1.0, 1.0),
    "age_band": (1.0, 1.1, 0.6),
    "sex": (1.1, 1.0, 1.2),
}
#: The 2024 sample is drawn with the population seed plus this.
BEFORE_DRAW_OFFSET = 1
#: Questions first asked in 2025.
ADDED = ("safe_online",)
#: 2025 name -> 2024 name.
RENAMED = {"good_places": "places_to_go"}
#: 2025 question -> {2025 option: 2024 option}.
REWORDED = {"trusted_adult": {"Not sure": "Unsure"}}


def as_before(frame: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """A population or sample frame (2025 names) in the 2024 questionnaire's terms.

    Drops the questions of :data:`ADDED`, renames those of :data:`RENAMED`
    and relabels the options of :data:`REWORDED`.

    Parameters
    ----------
    frame : DataFrame
        From ``make_population`` or ``draw_sample`` (2025 codebook).
    codebook : Codebook
        The 2025 codebook (to find a multi-select question's option columns).

    Examples
    --------
    >>> frame = pd.DataFrame({"good_places": ["Agree"], "safe_online": ["Very safe"],
    ...                       "trusted_adult": pd.Categorical(["Not sure"])})
    >>> out = as_before(frame, None)
    >>> out.columns.tolist(), out["trusted_adult"].tolist()
    (['places_to_go', 'trusted_adult'], ['Unsure'])
    """
    dropped = []
    for name in ADDED:
        question = codebook.questions.get(name) if codebook is not None else None
        if question is not None and question.type == "multi":
            dropped += list(question.option_columns.values())
        else:
            dropped.append(name)
    out = frame.drop(columns=[c for c in dropped if c in frame]).rename(columns=RENAMED)
    for name, labels in REWORDED.items():
        column = RENAMED.get(name, name)
        if column in out:
            out[column] = out[column].cat.rename_categories(
                {old: labels.get(old, old) for old in out[column].cat.categories}
            )
    return out
