"""The bundled synthetic Youth Listening sample.

Examples
--------
>>> import listening as yl
>>> survey = yl.load_sample()
>>> survey.codebook.title
'Serious Violence Youth Listening Project'
"""

from __future__ import annotations

from listening.ingest.codebook import load_codebook
from listening.ingest.survey import Survey, read_survey
from listening.paths import SAMPLE_DIR


def load_sample() -> Survey:
    """Read ``sample_data/responses.csv`` with the bundled codebook.

    The sample is synthetic (made by :mod:`listening.ingest.synthetic`) and includes
    a few rows that break the rules on purpose, so ``survey.rejected`` and
    ``survey.report()`` have something to show.

    Returns
    -------
    Survey

    Examples
    --------
    >>> survey = load_sample()
    >>> survey.n_read == len(survey.data) + len(survey.rejected)
    True
    >>> len(survey.rejected) > 0
    True
    """
    return read_survey(SAMPLE_DIR / "responses.csv", load_codebook(SAMPLE_DIR / "codebook.yaml"))


def load_sample_2024() -> Survey:
    """Read the bundled 2024 wave, the wave before :func:`load_sample` (2025).

    ``sample_data/wave2024/responses.csv`` with its own codebook
    (``sample_data/wave2024/codebook.yaml``): the same synthetic population a
    year earlier, with its own schools, response bias and questionnaire
    (see :mod:`listening.ingest.synthetic_waves`). Compare the waves with
    :func:`listening.change` and :func:`listening.load_harmonisation`. The
    population margins are the 2025 wave's (the same population).

    Returns
    -------
    Survey

    Examples
    --------
    >>> survey = load_sample_2024()
    >>> survey.codebook.title
    'Serious Violence Youth Listening Project 2024'
    >>> "places_to_go" in survey.data and "safe_online" not in survey.data
    True
    """
    folder = SAMPLE_DIR / "wave2024"
    return read_survey(folder / "responses.csv", load_codebook(folder / "codebook.yaml"))
