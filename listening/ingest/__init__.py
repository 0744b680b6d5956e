"""Stage 1, ingest: codebooks, survey files, row checks and the bundled sample.

Modules, in the order data flow through them: :mod:`~listening.ingest.codebook`
(the questionnaire), :mod:`~listening.ingest.limits` (how much a file may
hold), :mod:`~listening.ingest.rawtable` (the raw text table and the file it is
read from, on disk or in memory), :mod:`~listening.ingest.readers` and
:mod:`~listening.ingest.formats` (CSV, Excel, SPSS, Parquet into raw text
columns), :mod:`~listening.ingest.validate` (every rule,
every rejected row with its reason), :mod:`~listening.ingest.survey`
(:func:`read_survey` and the :class:`Survey` it returns),
:mod:`~listening.ingest.sample` and :mod:`~listening.ingest.synthetic` (the
bundled synthetic sample and its generator). Nothing here imports a later stage.
"""
