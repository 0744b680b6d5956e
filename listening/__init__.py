"""`listening`: design-based statistics for youth safety surveys.

The data flow one way: ingest (:func:`read_survey`) → design
(:class:`SurveyDesign`) → weighting (``design.rake``) → estimates
(:func:`proportion`, :func:`mean`, :func:`rao_scott`) → briefing tables
(:func:`crosstab`, :func:`write_briefing`) → the explorer (``app.py``).

Public names are imported lazily, so ``import listening`` stays light.

Examples
--------
>>> import listening as yl
>>> survey = yl.load_sample()
>>> survey.n_read == len(survey.data) + len(survey.rejected)
True
"""

from __future__ import annotations

import importlib
from typing import Any

from listening.errors import (
    CodebookError,
    ConvergenceError,
    DesignError,
    IngestError,
    ListeningError,
    MarginsError,
)

__version__ = "0.1.0"

_LAZY = {
    "Codebook": "listening.ingest.codebook",
    "load_codebook": "listening.ingest.codebook",
    "Survey": "listening.ingest.survey",
    "read_survey": "listening.ingest.survey",
    "IngestLimits": "listening.ingest.limits",
    "DEFAULT_LIMITS": "listening.ingest.limits",
    "UPLOAD_LIMITS": "listening.ingest.limits",
    "load_sample": "listening.ingest.sample",
    "load_sample_2024": "listening.ingest.sample",
    "Harmonisation": "listening.ingest.harmonise",
    "read_harmonisation": "listening.ingest.harmonise",
    "load_harmonisation": "listening.ingest.harmonise",
    "NotHarmonisedError": "listening.ingest.harmonise",
    "change": "listening.estimate.change",
    "change_table": "listening.publish.change_table",
    "change_tables": "listening.publish.change_table",
    "ChangeTable": "listening.publish.change_table",
    "load_margins": "listening.design.margins",
    "read_margins": "listening.design.margins",
    "SurveyDesign": "listening.design.survey_design",
    "proportion": "listening.estimate.estimators",
    "mean": "listening.estimate.estimators",
    "vs_rest": "listening.estimate.estimators",
    "total": "listening.estimate.totals",
    "quantile": "listening.estimate.quantiles",
    "ratio": "listening.estimate.ratios",
    "ttest": "listening.estimate.ratios",
    "TTestResult": "listening.estimate.ratios",
    "rao_scott": "listening.estimate.association",
    "RaoScottResult": "listening.estimate.association",
    "glm": "listening.estimate.regression",
    "GLMFit": "listening.estimate.regression",
    "predictive_margins": "listening.estimate.margins_pred",
    "crosstab": "listening.publish.tables",
    "Crosstab": "listening.publish.tables",
    "write_briefing": "listening.publish.briefing",
    "briefing_bytes": "listening.publish.briefing",
    "DisclosurePolicy": "listening.publish.disclosure",
    "audit": "listening.publish.audit",
    "crosstabs": "listening.publish.tables",
    "protection": "listening.publish.tables",
    "csv_bytes": "listening.publish.writers",
    "xlsx_bytes": "listening.publish.writers",
    "redact": "listening.publish.redact",
    "find_pii": "listening.publish.redact",
    "publishable": "listening.publish.approvals",
    "read_approvals": "listening.publish.approvals",
    "theme_counts": "listening.publish.freetext",
}

# Modules of figures, public as a whole: ``yl.charts.interval_plot(...)``.
_MODULES = {
    "charts": "listening.publish.charts",
    "maps": "listening.publish.maps",
}

__all__ = [
    "CodebookError",
    "ConvergenceError",
    "DesignError",
    "IngestError",
    "ListeningError",
    "MarginsError",
    *sorted(_LAZY),
    *sorted(_MODULES),
]


def __getattr__(name: str) -> Any:
    """Import a public name from its module on first use."""
    if name in _MODULES:
        value = importlib.import_module(_MODULES[name])
        globals()[name] = value
        return value
    try:
        module = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'listening' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
