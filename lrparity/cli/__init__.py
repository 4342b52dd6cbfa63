"""The ``lrparity`` console script: show, plot and tabulate schedules, list the bundled examples.

``lrparity show warmup_cosine``, ``lrparity plot one_cycle step -o lr.png``, ``lrparity table piecewise
--steps 1000 --every 200 --format md``, ``lrparity list``. A CONFIG argument is a schedule config file (YAML or
JSON, the format of ``schedule.to_config()``), the name of a bundled example (``lrparity list``), or a config that
a registered :class:`ConfigSource` reads. Every file is read by
:func:`lrparity.core.config_files.read_config_file` (plain data; nothing in it is executed). Errors print one line
(``lrparity: error: ...``) and exit with status 2; ``--debug`` shows the traceback instead.

This package knows only lrparity's own configs; the rest plugs in:

- :mod:`lrparity.cli.configs`: what a CONFIG is (:func:`load_schedule`) and the registry of config sources
  (:func:`register_config_source`: PaddleOCR training configs, ``KIND:CONFIG`` recipes);
- :mod:`lrparity.cli.plugins`: the subcommands of the subpackages with a ``cli`` module (``lrparity/<package>/cli.py``:
  ``parity``, ``ppocr``, ...), each added by that module's ``register(subparsers)``;
- :mod:`lrparity.cli.commands`: the built-in ``show``, ``plot``, ``table``, ``list``;
  :mod:`lrparity.cli.describe`: what they say about a schedule; :mod:`lrparity.cli.options`: the option checks and
  :class:`CliError`.
"""

from __future__ import annotations

import argparse
import sys

from lrparity.cli.commands import add_builtin_commands, add_config_options
from lrparity.cli.configs import (
    CONFIG_SUFFIXES,
    EXAMPLES_DIR,
    ConfigSource,
    Loaded,
    LoadRequest,
    config_sources,
    did_you_mean,
    example_names,
    example_path,
    load_schedule,
    looks_like_path,
    register_config_source,
    resolve_config,
)
from lrparity.cli.options import (
    MAX_STEPS,
    CliError,
    add_curve_log_options,
    check_curve_log,
    check_image_output,
    check_range,
    check_writable,
    curve_log_options,
    plot_curve,
    write_curve_log,
)
from lrparity.cli.plugins import command_modules, register_commands

__all__ = [
    "CONFIG_SUFFIXES",
    "EXAMPLES_DIR",
    "MAX_STEPS",
    "CliError",
    "ConfigSource",
    "LoadRequest",
    "Loaded",
    "add_config_options",
    "add_curve_log_options",
    "build_parser",
    "check_curve_log",
    "check_image_output",
    "check_range",
    "check_writable",
    "command_modules",
    "config_sources",
    "curve_log_options",
    "did_you_mean",
    "example_names",
    "example_path",
    "load_schedule",
    "looks_like_path",
    "main",
    "plot_curve",
    "register_config_source",
    "resolve_config",
    "write_curve_log",
]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser: show, plot, table, list, and the subcommands of :func:`command_modules`."""
    kinds = [s.description for s in config_sources()]
    parser = argparse.ArgumentParser(
        prog="lrparity",
        description="Learning-rate schedules that mean the same in PyTorch and PaddlePaddle.",
        epilog=f"CONFIG is a YAML/JSON schedule config, {''.join(k + ', ' for k in kinds)}or a bundled example name "
        "(lrparity list). --debug (anywhere) shows tracebacks.",
    )
    from lrparity import __version__

    parser.add_argument("--version", action="version", version=f"lrparity {__version__}")
    parser.add_argument("--debug", action="store_true", help="show the traceback on errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    add_builtin_commands(sub)
    register_commands(sub)
    return parser


def _one_line(exc: BaseException) -> str:
    if isinstance(exc, MemoryError):
        return f"out of memory ({' '.join(str(exc).split()) or 'MemoryError'}); ask for fewer steps or a smaller image"
    text = " ".join(str(exc).split()) or type(exc).__name__
    if isinstance(exc, (KeyError, FileNotFoundError, PermissionError, IsADirectoryError)):
        if isinstance(exc, OSError) and exc.filename:
            return f"{exc.strerror or type(exc).__name__}: {exc.filename}"
    return text


def main(argv: list[str] | None = None) -> int:
    """Run the ``lrparity`` command line; returns the exit status (0 ok, 2 error)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    head, sep, tail = argv, [], []
    if "--" in argv:
        i = argv.index("--")
        head, sep, tail = argv[:i], ["--"], argv[i + 1 :]
    debug = "--debug" in head
    argv = [a for a in head if a != "--debug"] + sep + tail
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        return int(args.func(args) or 0)
    except (CliError, ValueError, TypeError, ImportError, OSError, KeyError, MemoryError) as exc:
        if debug:
            raise
        print(f"lrparity: error: {_one_line(exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # pragma: no cover
        return 130
