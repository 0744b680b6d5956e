"""Checks on the researcher notebooks in ``notebooks/`` that need no kernel.

The notebooks themselves run under ``pytest --nbmake notebooks`` (``make test``).
These tests check what must hold for them in git: no outputs or execution
counts, the standard ``python3`` kernel, valid nbformat, code that parses, and
no paths that only work on one machine or outside the repository.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
PATHS = sorted(NOTEBOOKS.glob("*.ipynb"))
# Paths that tie a notebook to one machine or reach outside the repository.
NOT_PORTABLE = re.compile(r"\.\./shared|/work/|/home/|/tmp/|[A-Za-z]:\\\\")


def _read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=nbformat.NO_CONVERT)


def _code_cells(path: Path) -> list[nbformat.NotebookNode]:
    return [cell for cell in _read(path).cells if cell.cell_type == "code"]


def test_the_three_notebooks_exist():
    names = [p.name for p in PATHS]
    assert {"01_quickstart.ipynb", "02_weighting.ipynb", "03_your_own_survey.ipynb"} <= set(
        names
    ), names


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.name)
def test_notebook_is_committed_without_outputs(path: Path):
    dirty = [
        f"cell {i} ({cell.get('id', '?')})"
        for i, cell in enumerate(_read(path).cells)
        if cell.cell_type == "code" and (cell.get("outputs") or cell.get("execution_count"))
    ]
    assert not dirty, (
        f"{path.name} has outputs or execution counts in {', '.join(dirty)}; clear them "
        f"before committing: jupyter nbconvert --clear-output --inplace {path}"
    )


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.name)
def test_notebook_is_valid_and_uses_the_python3_kernel(path: Path):
    notebook = _read(path)
    nbformat.validate(notebook)
    assert notebook.metadata["kernelspec"]["name"] == "python3"


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.name)
def test_notebook_code_parses(path: Path):
    for i, cell in enumerate(_code_cells(path)):
        try:
            ast.parse(cell.source)
        except SyntaxError as err:
            pytest.fail(f"{path.name}, code cell {i}: {err}")


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.name)
def test_notebook_uses_no_machine_paths(path: Path):
    for i, cell in enumerate(_read(path).cells):
        found = NOT_PORTABLE.search(cell.source)
        assert found is None, (
            f"{path.name}, cell {i} names {found.group(0)!r}; find files through the "
            "installed package (yl.load_sample().source) and write to tempfile folders"
        )


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.name)
def test_notebook_writes_only_to_temporary_folders(path: Path):
    sources = "\n".join(cell.source for cell in _code_cells(path))
    writes = re.findall(r"\.(?:to_csv|to_excel|write_text|write_bytes)\(|write_sav\(", sources)
    if writes or "write_briefing(" in sources:
        assert "tempfile.mkdtemp(" in sources, (
            f"{path.name} writes files but makes no temporary folder to write them in"
        )
