"""The subcommands other modules add: each subpackage of lrparity with a ``cli`` module (``lrparity/<package>/cli.py``).

The module is imported the first time the parser is built or a CONFIG is loaded; its ``register(subparsers)`` adds
its subcommands, and it may register config sources (:func:`lrparity.cli.register_config_source`) when imported.
"""

from __future__ import annotations

import argparse
import functools
import importlib
import pkgutil
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

from lrparity.cli.options import CliError

__all__ = ["command_modules", "register_commands"]


@functools.cache
def _command_modules() -> tuple[tuple[str, ModuleType | Exception], ...]:
    root = Path(__file__).resolve().parents[1]  # lrparity/
    found: list[tuple[str, ModuleType | Exception]] = []
    for package in sorted(pkgutil.iter_modules([str(root)]), key=lambda info: info.name):
        if not package.ispkg or package.name.startswith("_"):
            continue
        if not any(m.name == "cli" for m in pkgutil.iter_modules([str(root / package.name)])):
            continue
        try:
            found.append((package.name, importlib.import_module(f"lrparity.{package.name}.cli")))
        except Exception as exc:  # reported when its subcommand is used, not on every command
            found.append((package.name, exc))
    return tuple(found)


def command_modules() -> dict[str, ModuleType | Exception]:
    """``{package: its lrparity.<package>.cli module}`` for every subpackage of lrparity that has one, imported.

    A module that failed to import is given as the exception it raised (its subcommand then says so when used).
    """
    return dict(_command_modules())


def _broken_command(package: str, exc: BaseException) -> Callable[[argparse.Namespace], int]:
    def handler(args: argparse.Namespace) -> int:
        raise CliError(f"the {package!r} subcommand failed to load: {type(exc).__name__}: {exc}") from exc

    return handler


def register_commands(sub: Any) -> None:
    """Call each command module's ``register(sub)``; a module that failed to import gets a subcommand saying so."""
    for package, module in command_modules().items():
        if isinstance(module, Exception):
            sub.add_parser(package, help=f"(unavailable: {module})").set_defaults(func=_broken_command(package, module))
        else:
            module.register(sub)
