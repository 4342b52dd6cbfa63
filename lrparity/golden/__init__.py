"""Golden files for the user's own schedules: record every path's lr curve once, fail CI the day one moves.

``record(["configs/lr.yaml", "ppdet:configs/yolo.yml"], "ci/lr-golden.npz")`` reads each config as the
``lrparity`` commands do (:func:`lrparity.cli.load_schedule`: a schedule config, a bundled example, a PaddleOCR
config, a ``KIND:CONFIG`` recipe) and stores its curve on every path that runs here (:mod:`lrparity.golden.paths`:
the core, the torch and paddle backends, paddle's static graph on a prefix, the natives ``to_native`` builds),
bit-exact, with the versions of lrparity, numpy, torch and paddle and a hash of each config file
(:mod:`lrparity.golden.store` is the format). ``check("ci/lr-golden.npz")`` reads each config again *from its
path as it is now*, recomputes every recorded path and returns one :class:`Problem` per difference::

    DRIFT configs/lr.yaml / torch: first differing step 812: expected 0.0731, got 0.07310000000000001
    (max rel 1.9e-16 over 10000 steps): 1 step differs; the same config now computes differently
    (changed since recording: torch 2.13.0 -> 2.14.0)

(one line) saying whether the config changed since recording, or the same config computes differently now and
which version changed. A path whose framework is not installed is a ``SKIPPED`` problem, never a pass.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from lrparity.golden.paths import FRAMEWORK_OF, PATHS, inexpressible, missing_framework, run_path
from lrparity.golden.store import FORMAT, VERSION, Golden, read, schedule_sha256, versions, write
from lrparity.parity.report import compare

__all__ = [
    "DEFAULT_STATIC_STEPS",
    "PATHS",
    "Problem",
    "Subject",
    "check",
    "check_subject",
    "exit_status",
    "read",
    "record",
    "record_subjects",
    "subject_from_config",
    "subject_from_schedule",
    "update",
]

DEFAULT_STATIC_STEPS = 200
"""Steps of the paddle static-graph path (one ``Executor.run`` each), a prefix of the recorded steps."""

DEFAULT_BASE_LR = 0.1
"""The base lr a relative schedule runs at when neither ``--base-lr`` nor its config gives one."""

_VERSIONS_OF = {
    "core": ("lrparity", "numpy"),
    "torch": ("lrparity", "numpy", "torch"),
    "torch-native": ("lrparity", "numpy", "torch"),
    "paddle": ("lrparity", "numpy", "paddle"),
    "paddle-static": ("lrparity", "numpy", "paddle"),
    "paddle-native": ("lrparity", "numpy", "paddle"),
}


@dataclass(frozen=True)
class Problem:
    """One finding of :func:`check`; ``str(problem)`` is its report line (``KIND CONFIG / PATH: message``).

    Attributes:
        kind: ``"DRIFT"`` (a recorded curve differs), ``"ERROR"`` (the config cannot be read now, or a recorded
            native cannot be built now), ``"SKIPPED"`` (a recorded path's framework is not installed) or
            ``"NOTE"`` (informational: a path that runs now but was not recorded, a config file edited without
            changing any curve).
        config: the CONFIG as recorded.
        backend: the path (``core``, ``torch``, ..., see :data:`PATHS`), or None for the whole config.
        message: the rest of the line.
        diff: the comparison of a DRIFT.
    """

    kind: str
    config: str
    backend: str | None
    message: str
    diff: Any = None

    def __str__(self) -> str:
        where = self.config if self.backend is None else f"{self.config} / {self.backend}"
        return f"{self.kind} {where}: {self.message}"

    @property
    def fails(self) -> bool:
        """A DRIFT or an ERROR (a SKIPPED fails too unless skips are allowed: :func:`exit_status`)."""
        return self.kind in ("DRIFT", "ERROR")


def exit_status(problems: Iterable[Problem], allow_skips: bool = False) -> int:
    """1 on a DRIFT or an ERROR, or on a SKIPPED unless ``allow_skips``; else 0 (NOTEs never fail)."""
    for p in problems:
        if p.fails or (p.kind == "SKIPPED" and not allow_skips):
            return 1
    return 0


@dataclass(frozen=True)
class Subject:
    """A schedule to record or check, with what identifies it.

    Attributes:
        config: its name in the report lines (the CONFIG as given, or the test's name).
        schedule: the core schedule.
        base_lr: the base lr the paths run with (None: an absolute schedule).
        options: how it was read (``base_lr``, ``steps_per_epoch``, ``epochs`` as given), stored to read it again.
        source: the file it was read from (None: none).
        file_sha256: sha256 of that file's bytes (None: no file).
        length: the schedule's (or the training run's) length in steps, or None.
    """

    config: str
    schedule: Any
    base_lr: float | None
    options: Mapping[str, Any]
    source: str | None = None
    file_sha256: str | None = None
    length: int | None = None

    @property
    def schedule_config(self) -> Any:
        return self.schedule.to_config()

    @property
    def schedule_sha256(self) -> str:
        return schedule_sha256(self.schedule_config, self.base_lr)


def _file_sha256(source: str | None) -> str | None:
    if source is None or not os.path.isfile(source):
        return None
    return hashlib.sha256(Path(source).read_bytes()).hexdigest()


def _base_lr(schedule: Any, given: float | None, from_config: float | None, label: str) -> float | None:
    if not schedule.uses_base_lr:
        if given is not None:
            raise ValueError(
                f"base_lr={given!r}: {label} pins its own lr (an absolute schedule); base_lr sets the base of "
                "relative schedules only"
            )
        return None
    if given is not None:
        return float(given)
    return float(from_config) if from_config is not None else DEFAULT_BASE_LR


def subject_from_config(
    spec: str,
    *,
    base_lr: float | None = None,
    steps_per_epoch: int | None = None,
    epochs: int | None = None,
    run_options: str = "refuse",
) -> Subject:
    """Read a CONFIG (anything :func:`lrparity.cli.load_schedule` reads) into a :class:`Subject`.

    A relative schedule runs at ``base_lr``, else the base lr its config gives (a recipe's), else 0.1.
    ``steps_per_epoch`` / ``epochs`` are for training-run configs (a PaddleOCR config, a recipe); given with a
    schedule config they are refused (``run_options="refuse"``) or not applied to it (``"runs-only"``).
    """
    from lrparity.cli import load_schedule

    loaded = load_schedule(spec, steps_per_epoch=steps_per_epoch, epochs=epochs)
    if not loaded.is_run and (steps_per_epoch is not None or epochs is not None):
        if run_options == "refuse":
            raise ValueError(f"{spec}: steps_per_epoch and epochs are for training-run configs; this is a schedule")
        steps_per_epoch = epochs = None
        loaded = load_schedule(spec)
    if not hasattr(loaded.schedule, "values"):
        raise ValueError(f"{spec}: {type(loaded.schedule).__name__} is not a schedule of the step (nothing to record)")
    base = _base_lr(loaded.schedule, base_lr, loaded.base_lr, spec)
    options = {"base_lr": base_lr, "steps_per_epoch": steps_per_epoch, "epochs": epochs}
    source = loaded.source if loaded.source and os.path.isfile(loaded.source) else None
    return Subject(spec, loaded.schedule, base, options, source, _file_sha256(source), loaded.length)


def subject_from_schedule(schedule: Any, name: str, *, base_lr: float | None = None) -> Subject:
    """A :class:`Subject` for a schedule object, or a config mapping (:func:`lrparity.from_config`)."""
    import lrparity

    if isinstance(schedule, Mapping):
        schedule = lrparity.from_config(schedule)
    if not hasattr(schedule, "values") or not hasattr(schedule, "to_config"):
        raise TypeError(f"expected an lrparity schedule, a config mapping or a config path, got {schedule!r}")
    base = _base_lr(schedule, base_lr, None, name)
    return Subject(name, schedule, base, {"base_lr": base_lr}, None, None, getattr(schedule, "length", None))


def default_steps(subject: Subject) -> int:
    """The steps recorded when none are given: the schedule's length, at most 10000 (1000 if it has none)."""
    return min(subject.length or 1000, 10_000)


# ------------------------------------------------------------------------------------------------------------
# recording
# ------------------------------------------------------------------------------------------------------------
def _record_one(
    subject: Subject, steps: int, static_steps: int, progress: Callable[[str], None] | None
) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    curves: dict[str, np.ndarray] = {}
    not_recorded: dict[str, str] = {}
    for path in PATHS:
        why = missing_framework(path) or inexpressible(path, subject.schedule, subject.base_lr)
        n = min(steps, static_steps) if path == "paddle-static" else steps
        if why is None and n == 0:
            why = "turned off (static_steps=0)"
        if why is not None:
            not_recorded[path] = why
            continue
        if progress:
            progress(f"{subject.config}: {path}")
        curves[path] = run_path(path, subject.schedule, subject.base_lr, n)
    entry = {
        "config": subject.config,
        "options": dict(subject.options),
        "source": subject.source,
        "file_sha256": subject.file_sha256,
        "schedule": subject.schedule_config,
        "schedule_sha256": subject.schedule_sha256,
        "base_lr": subject.base_lr,
        "steps": steps,
        "static_steps": static_steps,
        "paths": {p: len(v) for p, v in curves.items()},
        "not_recorded": not_recorded,
    }
    return entry, curves


def _check_steps(steps: int | None, static_steps: int) -> None:
    if steps is not None and (isinstance(steps, bool) or not isinstance(steps, int) or not 1 <= steps <= 1_000_000):
        raise ValueError(f"steps must be an int in 1..1000000, got {steps!r}")
    if isinstance(static_steps, bool) or not isinstance(static_steps, int) or not 0 <= static_steps <= 100_000:
        raise ValueError(f"static_steps must be an int in 0..100000, got {static_steps!r}")


def record_subjects(
    subjects: Sequence[Subject],
    path: str | Path | None,
    *,
    steps: int | None = None,
    static_steps: int = DEFAULT_STATIC_STEPS,
    root: str | None = ".",
    progress: Callable[[str], None] | None = None,
) -> Golden:
    """Record ``subjects`` (``steps`` each; default :func:`default_steps`) and write them to ``path`` (None: only
    return the :class:`~lrparity.golden.store.Golden`). ``root``: the directory config paths are relative to,
    relative to the file's directory."""
    _check_steps(steps, static_steps)
    seen = set()
    for s in subjects:
        if s.config in seen:
            raise ValueError(f"{s.config}: given twice (each CONFIG is recorded once)")
        seen.add(s.config)
    meta: dict[str, Any] = {"format": FORMAT, "version": VERSION, "versions": versions(), "root": root, "entries": []}
    all_curves = []
    for subject in subjects:
        entry, curves = _record_one(subject, steps or default_steps(subject), static_steps, progress)
        meta["entries"].append(entry)
        all_curves.append(curves)
    golden = Golden(meta, all_curves)
    if path is not None:
        write(path, golden)
    return golden


def _root_of(path: str | Path, directory: str | Path | None = None) -> str | None:
    """``directory`` (default: the current one) relative to the directory of the file ``path``."""
    directory = os.path.abspath(directory if directory is not None else os.getcwd())
    try:
        return Path(os.path.relpath(directory, os.path.dirname(os.path.abspath(path)))).as_posix()
    except ValueError:  # another drive (Windows)
        return None


def record(
    configs: Sequence[str],
    path: str | Path,
    *,
    steps: int | None = None,
    base_lr: float | None = None,
    steps_per_epoch: int | None = None,
    epochs: int | None = None,
    static_steps: int = DEFAULT_STATIC_STEPS,
    progress: Callable[[str], None] | None = None,
) -> Golden:
    """Record each config's curve on every path that runs here and write the golden file ``path``.

    Args:
        configs: CONFIG arguments as the ``lrparity`` commands take them (a path, a bundled example name, a
            ``KIND:CONFIG`` recipe); relative paths are read from the current directory, which the file records
            (relative to its own directory) so that :func:`check` finds them from anywhere.
        path: the ``.npz`` to write.
        steps: steps recorded per config (default: its length, at most 10000; 1000 if it has none).
        base_lr: the base lr of relative schedules (default: the config's own, else 0.1); refused for an absolute
            one.
        steps_per_epoch: batches per epoch of training-run configs (a PaddleOCR config, a recipe), as ``lrparity
            show`` takes it; not applied to schedule configs (refused when every config is one).
        epochs: overrides the epochs of training-run configs (as ``steps_per_epoch``).
        static_steps: steps of the paddle static-graph path (a prefix; 0 turns it off).
        progress: called with ``"<config>: <path>"`` before each path runs.
    """
    if isinstance(configs, str):
        raise TypeError("configs must be a list of CONFIG arguments, not one string")
    if not configs:
        raise ValueError("record: give at least one CONFIG")
    _check_steps(steps, static_steps)
    subjects = [
        subject_from_config(c, base_lr=base_lr, steps_per_epoch=steps_per_epoch, epochs=epochs, run_options="runs-only")
        for c in configs
    ]
    run_given = steps_per_epoch is not None or epochs is not None
    if run_given and all(s.options["steps_per_epoch"] is None and s.options["epochs"] is None for s in subjects):
        raise ValueError("steps_per_epoch and epochs are for training-run configs; every CONFIG given is a schedule")
    return record_subjects(
        subjects, path, steps=steps, static_steps=static_steps, root=_root_of(path), progress=progress
    )


# ------------------------------------------------------------------------------------------------------------
# checking
# ------------------------------------------------------------------------------------------------------------
def _changes(then: Mapping[str, Any], now: Mapping[str, Any], keys: Iterable[str]) -> list[str]:
    out = []
    for key in (*keys, "python", "machine"):
        if then.get(key) != now.get(key):
            out.append(f"{key} {then.get(key) or 'not installed'} -> {now.get(key) or 'not installed'}")
    return out


def _cause(
    entry: Mapping[str, Any], subject: Subject, then: Mapping[str, Any], now: Mapping[str, Any], path: str
) -> str:
    """Why a recorded curve may differ: the config changed, or the same config computes differently."""
    changed = _changes(then, now, _VERSIONS_OF[path])
    if entry.get("file_sha256") is not None and entry["file_sha256"] != subject.file_sha256:
        return "the config changed since recording"
    if entry.get("schedule_sha256") != subject.schedule_sha256:
        if entry.get("file_sha256") is None:
            return "the schedule changed since recording"
        lr = [c for c in changed if c.startswith("lrparity ")]
        return (
            "the config file is unchanged but reads as another schedule now (a file it includes changed, or "
            f"lrparity reads it differently{': ' + lr[0] if lr else ''})"
        )
    if changed:
        return f"the same config now computes differently (changed since recording: {', '.join(changed)})"
    return "the same config now computes differently (no version changed since recording)"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def check_subject(
    subject: Subject,
    entry: Mapping[str, Any],
    stored: Mapping[str, np.ndarray],
    recorded_versions: Mapping[str, Any],
    progress: Callable[[str], None] | None = None,
) -> list[Problem]:
    """Recompute every path recorded in ``entry`` for ``subject`` (as it is now) and compare with ``stored``."""
    problems: list[Problem] = []
    now = versions()
    name = str(entry["config"])
    for path in PATHS:
        if path not in entry["paths"]:
            why_not = missing_framework(path) or inexpressible(path, subject.schedule, subject.base_lr)
            if why_not is None and path in entry.get("not_recorded", {}):
                problems.append(
                    Problem("NOTE", name, path, f"runs here now but was not recorded ({entry['not_recorded'][path]})")
                )
            continue
        missing = missing_framework(path)
        if missing is not None:
            problems.append(Problem("SKIPPED", name, path, missing))
            continue
        cannot = inexpressible(path, subject.schedule, subject.base_lr)
        if cannot is not None:
            cause = _cause(entry, subject, recorded_versions, now, path)
            problems.append(Problem("ERROR", name, path, f"recorded, but {cannot}; {cause}"))
            continue
        if progress:
            progress(f"{name}: {path}")
        expected = stored[path]
        got = run_path(path, subject.schedule, subject.base_lr, len(expected))
        d = compare(expected, got)
        if d.ok:
            continue
        message = (
            f"first differing step {d.first}: expected {d.expected!r}, got {d.got!r} "
            f"(max rel {d.max_rel:.3g} over {d.steps} steps): {_plural(d.n_diff, 'step')} "
            f"{'differs' if d.n_diff == 1 else 'differ'}; {_cause(entry, subject, recorded_versions, now, path)}"
        )
        problems.append(Problem("DRIFT", name, path, message, d))
    edited = entry.get("file_sha256") is not None and entry["file_sha256"] != subject.file_sha256
    if edited and not any(p.kind in ("DRIFT", "ERROR") for p in problems):
        problems.append(Problem("NOTE", name, None, "the config file changed since recording, but no curve did"))
    return problems


@contextmanager
def _working_directory(directory: str | None) -> Iterator[None]:
    if directory is None:
        yield
        return
    before = os.getcwd()
    os.chdir(directory)
    try:
        yield
    finally:
        os.chdir(before)


def _config_directory(path: str | Path, golden: Golden, root: str | Path | None) -> str | None:
    if root is not None:
        return str(root)
    recorded = golden.meta.get("root")
    if recorded is None:
        return None
    directory = os.path.join(os.path.dirname(os.path.abspath(path)), recorded)
    return directory if os.path.isdir(directory) else None


def check(
    path: str | Path,
    *,
    root: str | Path | None = None,
    progress: Callable[[str], None] | None = None,
    golden: Golden | None = None,
) -> list[Problem]:
    """Read every recorded config again from its path, recompute its recorded paths and compare them bit for bit.

    Args:
        path: the golden file (:func:`record`).
        root: the directory config paths are relative to (default: the one ``record`` ran in, kept relative to the
            file; the current directory when that does not exist).
        progress: called with ``"<config>: <path>"`` before each path runs.
        golden: the file's content, when already read.

    Returns:
        every :class:`Problem` (DRIFT, ERROR, SKIPPED, NOTE); :func:`exit_status` turns them into an exit status.
    """
    from lrparity.cli import CliError

    golden = golden if golden is not None else read(path)
    problems: list[Problem] = []
    with _working_directory(_config_directory(path, golden, root)):
        for entry, stored in zip(golden.entries, golden.curves, strict=True):
            options = entry.get("options") or {}
            try:
                subject = subject_from_config(str(entry["config"]), **options)
            except (CliError, ValueError, TypeError, OSError, KeyError, ImportError) as exc:
                message = " ".join(str(exc).split()) or type(exc).__name__
                problems.append(Problem("ERROR", str(entry["config"]), None, f"cannot be read now: {message}"))
                continue
            problems += check_subject(subject, entry, stored, golden.meta.get("versions", {}), progress)
    return problems


def update(
    path: str | Path, *, root: str | Path | None = None, progress: Callable[[str], None] | None = None
) -> tuple[list[Problem], Golden]:
    """Check ``path`` (the problems are returned, as found before) and record every config again into it, with
    the steps and options it was recorded with.

    Refuses (ValueError) when a framework with recorded paths is not installed here: updating would drop them.
    """
    golden = read(path)
    recorded = {p for e in golden.entries for p in e["paths"]}
    for framework in ("torch", "paddle"):
        if any(FRAMEWORK_OF[p] == framework for p in recorded) and missing_framework(framework) is not None:
            raise ValueError(
                f"{path} holds {framework} paths and {framework} is not installed here: updating would drop them "
                f"(install {framework}, or record the file anew with `lrparity golden record`)"
            )
    problems = check(path, root=root, progress=progress, golden=golden)
    unreadable = [p for p in problems if p.kind == "ERROR" and p.backend is None]
    if unreadable:
        raise ValueError(f"cannot update {path}: {unreadable[0]}")
    directory = _config_directory(path, golden, root)
    meta_root = golden.meta.get("root") if root is None else _root_of(path, root)
    with _working_directory(directory):
        subjects, steps, static = [], [], []
        for entry in golden.entries:
            subjects.append(subject_from_config(str(entry["config"]), **(entry.get("options") or {})))
            steps.append(int(entry["steps"]))
            static.append(int(entry.get("static_steps", DEFAULT_STATIC_STEPS)))
        parts = [
            record_subjects([s], None, steps=n, static_steps=k, root=meta_root, progress=progress)
            for s, n, k in zip(subjects, steps, static, strict=True)
        ]
    new = Golden(
        dict(parts[0].meta, entries=[e for g in parts for e in g.entries]), [c for g in parts for c in g.curves]
    )
    write(path, new)
    return problems, new
