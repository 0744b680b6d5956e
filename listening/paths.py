"""Where the bundled sample files and the package data live.

The sample survey, its codebook, the population margins and the district
boundaries sit in ``sample_data/`` beside the package (the project installs
``listening`` in editable mode, so this resolves in a checkout).

Examples
--------
>>> from listening.paths import SAMPLE_DIR
>>> (SAMPLE_DIR / "codebook.yaml").is_file()
True
"""

from __future__ import annotations

from pathlib import Path

SAMPLE_DIR = Path(__file__).resolve().parent.parent / "sample_data"
#: Word lists shipped inside the package (``listening/data``).
DATA_DIR = Path(__file__).resolve().parent / "data"
