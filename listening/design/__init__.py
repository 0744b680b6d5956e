"""Stage 2, design and weighting: the survey design and its one variance engine.

:mod:`~listening.design.variance` (strata, clusters, fpc; linearized and
replicate variances), :mod:`~listening.design.raking` (calibration to margins),
:mod:`~listening.design.replicates` (jackknife and bootstrap weights),
:mod:`~listening.design.margins` (population margins from ONS files) and
:mod:`~listening.design.survey_design` (:class:`SurveyDesign`, whose public
variance interface every estimator uses). Imports only :mod:`listening.ingest`.
"""
