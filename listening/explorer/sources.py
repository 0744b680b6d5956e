"""What the explorer builds from a survey and its margins, outside Streamlit.

The pages cache and lay out; the designs, the weighting note, the district
boundaries and the in-memory downloads come from here.

Examples
--------
>>> import listening as yl
>>> built = designs(yl.load_sample(), yl.load_margins())
>>> built.raked is not None, built.lonely_psu
(True, 'fail')
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from listening.design.margins import UNKNOWN_SEX_NOTE, with_unknown_sex
from listening.design.survey_design import SurveyDesign
from listening.errors import DesignError, ListeningError
from listening.explorer.views import analysis_frame
from listening.ingest.survey import Survey
from listening.paths import SAMPLE_DIR
from listening.publish.briefing import briefing_bytes
from listening.publish.exports import tidy_frame
from listening.publish.writers import csv_bytes


@dataclass(frozen=True, eq=False)
class Designs:
    """A survey's designs for the explorer.

    Attributes
    ----------
    margins : list of DataFrame or None
        The margins raked to (with the sample-sized "Not known" sex class).
    unweighted : SurveyDesign
    raked : SurveyDesign or None
        None without margins, or when raking failed (see ``notes``).
    notes : tuple of str
        How the estimates are weighted, in words.
    lonely_psu : str
        ``"adjust"`` when a stratum has a single school, else ``"fail"``.
    """

    margins: list[pd.DataFrame] | None
    unweighted: SurveyDesign
    raked: SurveyDesign | None
    notes: tuple[str, ...]
    lonely_psu: str


def designs(survey: Survey, targets: list[pd.DataFrame] | None) -> Designs:
    """The unweighted and raked designs of a survey; the published targets are ``targets``.

    Raking uses the targets with the sample-sized "Not known" sex class added
    (:func:`listening.design.margins.with_unknown_sex`). A stratum with a
    single school switches to R's ``lonely_psu="adjust"``, said in the notes.

    Examples
    --------
    >>> import listening as yl
    >>> built = designs(yl.load_sample(), None)
    >>> built.raked is None, built.notes[0]
    (True, 'No population margins: estimates are unweighted.')
    """
    book = survey.codebook
    margins = None if targets is None else with_unknown_sex(targets, survey, codebook=book)
    data = analysis_frame(survey.data, book)
    notes: list[str] = []
    lonely = "fail"
    try:
        unweighted = SurveyDesign(data, strata=book.strata, clusters=book.clusters, codebook=book)
    except DesignError as err:
        lonely = "adjust"
        unweighted = SurveyDesign(
            data, strata=book.strata, clusters=book.clusters, lonely_psu=lonely, codebook=book
        )
        notes.append(f"Design note: {err} Using lonely_psu='adjust' (R's option).")
    raked = None
    if margins is None:
        notes.insert(0, "No population margins: estimates are unweighted.")
    else:
        try:
            raked = unweighted.rake(margins)
            notes.insert(0, "Weighted (raked) to the population margins.")
        except ListeningError as err:
            notes.insert(0, f"Raking failed, so estimates are unweighted: {err}")
    return Designs(margins, unweighted, raked, tuple(notes), lonely)


def district_boundaries() -> dict | None:
    """The bundled district boundaries (GeoJSON), or None where they are not installed.

    Examples
    --------
    >>> len(district_boundaries()["features"])
    6
    """
    path = SAMPLE_DIR / "districts.geojson"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def crosstab_csv(tab: object) -> bytes:
    """A crosstab's CSV export (``[c]`` for suppressed figures), made in memory.

    Examples
    --------
    >>> import pandas as pd
    >>> import listening as yl
    >>> data = pd.DataFrame({"g": list("ab") * 10, "q": list("xy") * 10})
    >>> crosstab_csv(yl.crosstab(yl.SurveyDesign(data), "q", by="g")).splitlines()[0][:10]
    b'g,category'
    """
    return csv_bytes(tidy_frame(tab))


def briefing_workbook(tables: Sequence[object], targets: Sequence[pd.DataFrame] | None) -> bytes:
    """A briefing workbook of ``tables`` in memory, with the published targets if any.

    Examples
    --------
    >>> import pandas as pd
    >>> import listening as yl
    >>> data = pd.DataFrame({"g": list("ab") * 10, "q": list("xy") * 10})
    >>> briefing_workbook([yl.crosstab(yl.SurveyDesign(data), "q", by="g")], None)[:2]
    b'PK'
    """
    return briefing_bytes(
        list(tables),
        targets=list(targets) if targets else None,
        targets_source=UNKNOWN_SEX_NOTE if targets else None,
    )
