"""Stage 3, estimates: proportions, means, comparisons and tests on a design.

Every estimator computes its estimate and its influence values (or its
replicate estimates) and hands them to the design's public variance
interface (:meth:`listening.SurveyDesign.variance`). Imports only the
ingest and design stages.
"""
