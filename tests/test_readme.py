"""The README's Python examples run, and every public name documents itself with an example."""

from __future__ import annotations

import inspect
import re
import shutil
from pathlib import Path

import pytest

import listening as yl
from listening.paths import SAMPLE_DIR

ROOT = Path(__file__).resolve().parent.parent
BLOCKS = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(encoding="utf-8"), re.S)


def test_readme_shows_the_two_commands_first():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    first_block = text[text.index("```") : text.index("```", text.index("```") + 3)]
    assert "make app" in first_block and "make test" in first_block


@pytest.mark.parametrize("block", BLOCKS, ids=[f"block{i}" for i in range(len(BLOCKS))])
def test_readme_python_example_runs(block: str, tmp_path: Path, monkeypatch):
    """Each block runs as written, in a folder that holds "your export" (the sample)."""
    shutil.copy(SAMPLE_DIR / "responses.csv", tmp_path / "export.csv")
    shutil.copy(SAMPLE_DIR / "codebook.yaml", tmp_path / "codebook.yaml")
    monkeypatch.chdir(tmp_path)
    before = set(tmp_path.iterdir())
    exec(compile(block, "README.md", "exec"), {})
    written = set(tmp_path.iterdir()) - before
    for path in written:
        assert path.stat().st_size > 0


def test_readme_has_python_examples():
    assert len(BLOCKS) >= 2


@pytest.mark.parametrize("name", yl.__all__)
def test_every_public_name_has_a_numpydoc_docstring_with_an_example(name: str):
    obj = getattr(yl, name)
    doc = inspect.getdoc(obj) or ""
    assert doc.strip(), f"listening.{name} has no docstring"
    assert "Examples\n--------" in doc, f"listening.{name} has no Examples section"
    assert ">>> " in doc, f"listening.{name} has no runnable example"
