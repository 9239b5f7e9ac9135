"""The Pythons the noxfile runs the suite on, the classifiers and ``requires-python`` name the same range."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).parent.parent


def _noxfile_pythons() -> set[str]:
    """Every Python version the noxfile names (its string constants of the form ``3.N``)."""
    tree = ast.parse((ROOT / "noxfile.py").read_text())
    return {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and re.fullmatch(r"3\.\d+", node.value)
    }


def test_every_python_the_noxfile_names_has_a_classifier() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text()
    classified = set(re.findall(r'"Programming Language :: Python :: (3\.\d+)"', pyproject))
    named = _noxfile_pythons()
    assert named == {"3.10", "3.11", "3.12", "3.13"}
    assert classified == named
    floor = re.search(r'^requires-python = ">=(3\.\d+)"$', pyproject, re.MULTILINE)
    assert floor is not None
    assert floor.group(1) == min(named, key=lambda version: int(version.split(".")[1]))
