"""What a CONFIG argument of the command line is: a schedule config file, a bundled example, or a config that a
registered :class:`ConfigSource` reads (a PaddleOCR training config through :mod:`lrparity.ppocr.cli`, a
``KIND:CONFIG`` recipe), and :func:`load_schedule`, which reads any of them into a :class:`Loaded` record."""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lrparity.cli.options import CliError
from lrparity.core.config_files import read_config_file

__all__ = [
    "CONFIG_SUFFIXES",
    "EXAMPLES_DIR",
    "ConfigSource",
    "LoadRequest",
    "Loaded",
    "config_sources",
    "did_you_mean",
    "example_description",
    "example_names",
    "example_path",
    "load_schedule",
    "looks_like_path",
    "register_config_source",
    "resolve_config",
]

EXAMPLES_DIR = Path(__file__).resolve().parents[1] / "examples"
"""Folder of the bundled examples (``lrparity/examples/<name>.yaml`` or ``.yml``)."""

CONFIG_SUFFIXES = (".yaml", ".yml", ".json")
"""File name suffixes of config files (a CONFIG argument ending in one of them is a path, never an example name)."""

_KIND_PREFIX = re.compile(r"^(?P<kind>[a-z][a-z0-9_]*):(?P<target>.*)$", re.DOTALL)


def example_names() -> list[str]:
    """Names of the bundled examples, sorted."""
    if not EXAMPLES_DIR.is_dir():
        return []
    return sorted(p.stem for p in EXAMPLES_DIR.iterdir() if p.suffix in CONFIG_SUFFIXES)


def example_path(name: str) -> Path | None:
    """The file of the bundled example ``name``, or None if there is no such example."""
    for suffix in CONFIG_SUFFIXES:
        path = EXAMPLES_DIR / f"{name}{suffix}"
        if path.is_file():
            return path
    return None


def example_description(path: Path) -> str:
    """The first comment line of a bundled example."""
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            return line.lstrip("#").strip()
        if line.strip():
            break
    return ""


def looks_like_path(spec: str) -> bool:
    """Whether a CONFIG argument is meant as a file: it has a folder separator or a config file suffix."""
    return os.sep in spec or "/" in spec or Path(spec).suffix.lower() in CONFIG_SUFFIXES


def did_you_mean(spec: str, extra_names: Any = ()) -> str:
    """``"; did you mean 'x'?"``: the bundled example (or one of ``extra_names``) closest to ``spec``; or ``""``."""
    stem = Path(spec).stem if Path(spec).suffix.lower() in CONFIG_SUFFIXES else spec
    close = difflib.get_close_matches(stem, [*example_names(), *extra_names], n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


def resolve_config(spec: str) -> tuple[str, Path]:
    """``(label, path)`` of a CONFIG argument: an existing path, or the name of a bundled example.

    A spec that exists, or that looks like a path (a folder separator or a .yaml/.yml/.json suffix), is a file:
    the reader then reports what is wrong with it (missing, a directory, ...), naming it. Anything else must be
    a bundled example name.
    """
    path = Path(spec)
    example = example_path(spec)
    if path.is_file() or (path.exists() and example is None):
        return path.stem, path
    if example is not None:
        return spec, example
    if looks_like_path(spec):
        raise CliError(f"{spec}: no such file{did_you_mean(spec)}")
    names = example_names()
    raise CliError(
        f"{spec!r} is neither a config file nor a bundled example{did_you_mean(spec)} (examples: {', '.join(names)})"
        + _unknown_kind_note(spec)
    )


@dataclass(frozen=True)
class Loaded:
    """A schedule read from the command line, with what the commands print about it.

    ``length`` is the training run for a config that describes one (``epochs * steps_per_epoch``: a PaddleOCR
    config, a recipe), else the schedule's nominal length; ``notes`` are the warnings its source found (ignored
    keys, silent defaults, a warmup longer than the run). ``run`` marks a training run counted in steps only (a
    ``KIND:CONFIG`` recipe with ``iters``/``max_steps``); by default a run is a config with epochs.
    """

    label: str
    source: str
    schedule: Any
    base_lr: float | None
    length: int | None
    steps_per_epoch: int | None = None
    epochs: int | None = None
    notes: tuple[str, ...] = ()
    run: bool | None = None

    @property
    def is_run(self) -> bool:
        """A training run (it has epochs, or ``run`` says so): its curve ends where the training loop ends."""
        return self.epochs is not None if self.run is None else self.run


@dataclass(frozen=True)
class LoadRequest:
    """A CONFIG argument and the options given with it, as a :class:`ConfigSource` loader receives them.

    Attributes:
        spec: the argument as given (``"configs/det.yml"``, ``"ppocr_det"``, ``"ppdet:configs/x.yml"``).
        label: what the commands call it (a file's stem, an example's name, the whole ``KIND:CONFIG``).
        path: the file whose content the source recognised (None for a ``KIND:CONFIG`` argument).
        data: that file's content as :func:`~lrparity.core.config_files.read_config_file` reads it (YAML 1.2
            floats); a source may read the file again its own way.
        kind: the ``KIND`` of a ``KIND:CONFIG`` argument (None for a recognised file).
        target: what follows ``KIND:`` (None for a recognised file); the source resolves it.
        steps_per_epoch: ``--steps-per-epoch`` (None: not given).
        epochs: ``--epochs`` (None: not given; the config's own).
        base_lr: ``--base-lr`` (None: not given).
    """

    spec: str
    label: str
    path: Path | None = None
    data: Any = None
    kind: str | None = None
    target: str | None = None
    steps_per_epoch: int | None = None
    epochs: int | None = None
    base_lr: float | None = None


@dataclass(frozen=True)
class ConfigSource:
    """A kind of CONFIG the commands read besides lrparity's schedule configs, registered by the module that owns it.

    Attributes:
        name: what its configs are called in help and messages (``"PaddleOCR"``).
        load: reads a :class:`LoadRequest` into a :class:`Loaded` (errors: :class:`CliError` or ValueError, one
            line naming the file).
        prefixes: the KINDs of the ``KIND:CONFIG`` arguments it reads (lower-case identifiers, e.g. ``"ppdet"``);
            such an argument goes to this source before any file is looked up.
        detect: whether a config file's content is one of its configs; tried, in registration order, on every file
            (or bundled example) before it is read as a schedule config.
        summary: how the help describes its CONFIGs (default: ``"a <name> config"``).
        epochs_key: where its configs set the number of epochs that ``--epochs`` overrides (``"Global.epoch_num"``).
    """

    name: str
    load: Callable[[LoadRequest], Loaded]
    prefixes: tuple[str, ...] = ()
    detect: Callable[[Any], bool] | None = None
    summary: str = ""
    epochs_key: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise ValueError(f"ConfigSource.name must be a non-empty string, got {self.name!r}")
        bad = [p for p in self.prefixes if not isinstance(p, str) or not _KIND_PREFIX.match(f"{p}:")]
        if bad or isinstance(self.prefixes, str):
            raise ValueError(
                f"ConfigSource {self.name!r}: prefixes must be a tuple of lower-case identifiers, got {self.prefixes!r}"
            )
        if not self.prefixes and self.detect is None:
            raise ValueError(f"ConfigSource {self.name!r}: give prefixes, detect or both (else it reads nothing)")

    @property
    def description(self) -> str:
        """The help's words for its CONFIGs."""
        return self.summary or f"a {self.name} config"


_SOURCES: dict[str, ConfigSource] = {}


def register_config_source(source: ConfigSource) -> ConfigSource:
    """Let ``show``/``plot``/``table`` (and every command that loads a CONFIG) read ``source``'s configs.

    Call it when the module that owns the configs is imported (its ``cli`` module). A source registered again under
    the same name replaces the old one (a module reloaded); a ``KIND`` prefix another source reads is refused.
    Returns ``source``.
    """
    if not isinstance(source, ConfigSource):
        raise TypeError(f"register_config_source takes a ConfigSource, got {source!r}")
    for other in _SOURCES.values():
        taken = sorted(set(other.prefixes) & set(source.prefixes))
        if other.name != source.name and taken:
            raise ValueError(f"ConfigSource {source.name!r}: KIND {taken[0]!r} is already read by {other.name!r}")
    _SOURCES[source.name] = source
    return source


def config_sources() -> tuple[ConfigSource, ...]:
    """Every registered config source, in registration order (the command modules are imported first)."""
    from lrparity.cli.plugins import command_modules

    command_modules()
    return tuple(_SOURCES.values())


def _prefix_source(spec: str) -> tuple[ConfigSource, str, str] | None:
    """``(source, KIND, CONFIG)`` when ``spec`` is ``KIND:CONFIG`` and a source reads that KIND."""
    match = _KIND_PREFIX.match(spec)
    if match is None:
        return None
    for source in config_sources():
        if match["kind"] in source.prefixes:
            return source, match["kind"], match["target"]
    return None


def _unknown_kind_note(spec: str) -> str:
    match = _KIND_PREFIX.match(spec)
    if match is None:
        return ""
    kinds = sorted(p for s in config_sources() for p in s.prefixes)
    known = f" (KINDs: {', '.join(kinds)})" if kinds else ""
    return f"; and {match['kind']!r} is not a KIND of KIND:CONFIG that lrparity reads{known}"


def load_schedule(
    spec: str, *, steps_per_epoch: int | None = None, epochs: int | None = None, base_lr: float | None = None
) -> Loaded:
    """Read a CONFIG argument: a schedule config file, a bundled example name, or a config a source reads.

    In order: ``KIND:CONFIG`` goes to the :class:`ConfigSource` registered for ``KIND``; then the file (or the
    bundled example) is read, and goes to the first source whose ``detect`` recognises its content (a PaddleOCR
    training config, which that source reads again as PaddleOCR does); anything else is a schedule config
    (:func:`lrparity.from_config`).
    """
    options = {"steps_per_epoch": steps_per_epoch, "epochs": epochs, "base_lr": base_lr}
    prefixed = _prefix_source(spec)
    if prefixed is not None:
        source, kind, target = prefixed
        return source.load(LoadRequest(spec, spec, kind=kind, target=target, **options))
    label, path = resolve_config(spec)
    data = read_config_file(path)
    for source in config_sources():
        if source.detect is not None and source.detect(data):
            return source.load(LoadRequest(spec, label, path=path, data=data, **options))
    return _schedule_config(label, path, data, **options)


def _schedule_config(
    label: str, path: Path, data: Any, *, steps_per_epoch: int | None, epochs: int | None, base_lr: float | None
) -> Loaded:
    from lrparity.core import from_config

    if not isinstance(data, Mapping):
        raise CliError(f"{path}: expected a schedule config (a mapping with a 'type' key), got a {type(data).__name__}")
    schedule = from_config(data, _where=str(path))
    if not hasattr(schedule, "values"):
        raise CliError(f"{path}: {type(schedule).__name__} is not a schedule (it needs metrics; nothing to plot)")
    return Loaded(label, str(path), schedule, base_lr, schedule.length, steps_per_epoch, epochs)
