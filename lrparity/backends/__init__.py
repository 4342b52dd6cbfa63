"""Thin framework adapters over the core. Each is imported only when first used."""

from __future__ import annotations

import importlib
from types import ModuleType

_EXTRA = {"torch": "torch", "paddle": "paddlepaddle"}


def load(framework: str) -> ModuleType:
    """``lrparity.backends.<framework>``, or an ImportError naming the extra to install."""
    try:
        importlib.import_module("torch" if framework == "torch" else "paddle")
    except ImportError:
        raise ImportError(
            f"lrparity's {framework} backend needs {_EXTRA[framework]}: pip install 'lrparity[{framework}]'"
        ) from None
    return importlib.import_module(f"lrparity.backends.{framework}")
