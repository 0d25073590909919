"""Run the doctests of every module of the installed package (the examples in the docstrings)."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import prompt_manager

MODULES = sorted(
    name for _, name, _ in pkgutil.walk_packages(prompt_manager.__path__, prefix="prompt_manager.")
)


@pytest.mark.parametrize("name", ["prompt_manager", *MODULES])
def test_doctests(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS, raise_on_error=False)
    assert result.failed == 0, f"{result.failed} doctest(s) failed in {name}"


def test_the_doctests_exist() -> None:
    finder = doctest.DocTestFinder()
    examples = sum(
        len(test.examples)
        for name in ["prompt_manager", *MODULES]
        for test in finder.find(importlib.import_module(name))
    )
    assert examples >= 30
