"""Every example in the core's docstrings runs and prints what it says."""

import doctest
import importlib
import pkgutil

import pytest

import lrparity.core

MODULES = [info.name for info in pkgutil.iter_modules(lrparity.core.__path__, "lrparity.core.")]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{result.failed} docstring example(s) failed in {name}"
