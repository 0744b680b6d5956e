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
