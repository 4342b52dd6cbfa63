"""The conversion matrix: real recipes of every kind, converted to every other kind and to torch's and paddle's own
schedulers, and what came back.

For each source kind, its real configs (:func:`real_sources`: the files stored with the parity tests,
``parity_tests/recipes_data/<kind>/``) are read with :func:`lrparity.recipes.runs.describe` (the schedule and its run
of ``T`` optimizer updates), then written as a config of each target kind (:func:`lrparity.recipes.export`, with
:func:`~lrparity.recipes.runs.export_context`) and read back (:func:`lrparity.recipes.schedule`), or planned as the
framework's natives (torch, paddle: the tables behind :func:`lrparity.to_native`). :func:`convert` compares the
two at every update of the run; with ``reference=True`` it also runs the target's real code on the exported config
(the kind's ``reference()``: transformers, timm, mmengine, the Paddle suites' modules; torch's and paddle's natives)
and compares that too.

A cell of the matrix (:meth:`Matrix.cell_text`) is ``exact`` (every update bit-identical), ``≤ d`` (the largest
difference, relative to the run's peak lr: ``max|a - b| / max|a|``), or ``—`` (not expressible: the reason is the
target's own error message), with the number of the source's configs in each case. Imports neither torch nor
paddle unless ``reference=True``.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import math
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from lrparity.recipes import KINDS
from lrparity.recipes.runs import RecipeRun, describe, export_context, is_metric_driven, pinned_base_lr

__all__ = [
    "NATIVE_TARGETS",
    "PEAK_RTOL",
    "TARGETS",
    "Conversion",
    "Matrix",
    "Source",
    "conversion_matrix",
    "convert",
    "real_sources",
    "scale_mmengine_iters",
]

NATIVE_TARGETS: tuple[str, ...] = ("torch", "paddle")
"""The frameworks' own schedulers, as targets (:func:`lrparity.to_native`)."""

TARGETS: tuple[str, ...] = (*KINDS, *NATIVE_TARGETS)
"""Every target: the recipe kinds, then the natives."""

PEAK_RTOL = 1e-12
"""A conversion is correct when it differs from the source by at most ``PEAK_RTOL`` times the run's peak lr at every
update. Relative to the peak, not to each value: two correct formulas of a cosine differ by a few 1e-12 *relative*
where the cosine nears 0 (at the end of a decay to 0 a value of 1e-9 carries the rounding of 1e-3 terms)."""

TORCH_LR = 0.1
"""The torch optimizer's lr when the schedule pins none (an absolute schedule): torch's natives then scale it."""


# -- sources -------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Source:
    """One real recipe: its kind, a label (file name), the config (a path, or the mapping read and scaled down as
    noted) and the ``steps_per_epoch`` it runs with."""

    kind: str
    label: str
    config: Any
    steps_per_epoch: int | None = None


def _ppocr_sources(data: Path) -> list[Source]:
    from lrparity.core.config_files import read_config_file

    corpus = data.parent.parent / "tests" / "data" / "ppocr_configs.yaml"  # PaddleOCR's configs, with provenance
    if not corpus.is_file():
        return []
    seen: set[str] = set()
    out = []
    for entry in read_config_file(corpus, yaml_floats="1.1"):
        lr = entry.get("optimizer", {}).get("lr", {})
        name = lr.get("name", "Const") if isinstance(lr, Mapping) else "Const"
        if entry.get("group") != "configs" or name in seen:
            continue
        seen.add(name)  # one real config per PaddleOCR lr class
        config = {"Global": {"epoch_num": min(int(entry["epoch_num"]), 100)}, "Optimizer": entry["optimizer"]}
        out.append(Source("ppocr", entry["source"], config, 5))
    return out


def _ppcls_sources(data: Path) -> list[Source]:
    from lrparity.recipes import ppcls

    out = []
    for path in sorted((data / "ppcls").glob("*.yaml")):
        cfg = ppcls.read_config(path)
        glob = cfg.get("Global", {})
        if isinstance(glob, dict) and isinstance(glob.get("epochs"), int):
            glob["epochs"] = min(glob["epochs"], 120)  # scaled down, as the ppcls parity tests run them
            if glob.get("iter_per_epoch"):
                glob["iter_per_epoch"] = 5
        out.append(Source("ppcls", path.name, cfg, 7))
    return out


def _ppdet_sources(data: Path) -> list[Source]:
    from lrparity.recipes import ppdet

    out = []
    for path in sorted((data / "ppdet").rglob("*.yml")):
        try:
            has_lr = "LearningRate" in _quiet(ppdet.read_config, path)
        except ValueError:
            continue
        if has_lr:
            out.append(Source("ppdet", str(path.relative_to(data / "ppdet")), str(path), 4))
    return out


PPSEG_SCALE = 20
"""PaddleSeg's runs (80k-160k iterations) are divided by this in the matrix: ``iters``, ``warmup_iters`` and
``milestones`` alike, so that every shape stays (its parity tests run them at full length)."""


def _ppseg_sources(data: Path) -> list[Source]:
    from lrparity.recipes import ppseg

    out = []
    for path in sorted((data / "ppseg").rglob("*.yml")):
        try:
            cfg = _quiet(ppseg.read_config, path)
        except ValueError:
            continue
        block = cfg.get("lr_scheduler")
        if not isinstance(block, dict) or not isinstance(cfg.get("iters"), int):
            continue
        cfg["iters"] //= PPSEG_SCALE
        if isinstance(block.get("warmup_iters"), int):
            block["warmup_iters"] //= PPSEG_SCALE
        if isinstance(block.get("milestones"), list):
            block["milestones"] = [m // PPSEG_SCALE for m in block["milestones"]]
        out.append(Source("ppseg", str(path.relative_to(data / "ppseg")), cfg))
    return out


def _paddlenlp_sources(data: Path) -> list[Source]:
    from lrparity.recipes import paddlenlp

    out = []
    for path in sorted((data / "paddlenlp").glob("*.json")):
        if "pretrain" in path.stem:  # llm/run_pretrain.py's arguments (see the folder's README)
            out.append(Source("paddlenlp", path.name, {"recipe": "pretrain", **paddlenlp.read_config(path)}))
        else:
            out.append(Source("paddlenlp", path.name, str(path), 403))
    return out


def _hf_sources(data: Path) -> list[Source]:
    return [Source("hf", p.name, str(p), 403) for p in sorted((data / "hf").glob("*.yaml"))]


def _timm_sources(data: Path) -> list[Source]:
    from lrparity.core.config_files import read_config_file
    from lrparity.recipes import timm

    out = []
    folder = data / "timm"
    for path in sorted(folder.glob("*.yaml")):
        raw = read_config_file(path, yaml_floats="1.1", duplicate_keys="warn")
        if isinstance(raw, Mapping) and "commands" in raw:  # documented train.py command lines
            for name, command in raw["commands"].items():
                args = timm.command_args(command)
                if "epochs" in args:
                    args["epochs"] = str(max(12, int(args["epochs"]) // 15))  # scaled down, as the timm tests do
                out.append(Source("timm", f"{path.stem}:{name}", args, 5))
        else:
            args = dict(timm._load(str(path)))
            if args.get("lr") is None:
                args["world_size"] = 1  # lr derived from lr_base: a single GPU (args.yaml does not record it)
            out.append(Source("timm", path.name, args, 5))
    return out


def _mmengine_sources(data: Path) -> list[Source]:
    """mmengine's data files, and its ``.py`` configs (OpenMMLab's own, stored for the parity tests) where mmengine is
    installed to read them (``Config.fromfile`` runs them: only these stored files are read so); each file with a
    ``param_scheduler`` (``_base_`` fragments without one are left out), 2 updates per epoch, iteration-based runs of
    more than 10k iterations divided by 50 (:func:`scale_mmengine_iters`), as the mmengine tests scale them."""
    from lrparity.recipes import mmengine

    folder = data / "mmengine"
    suffixes = {".yaml", ".yml", ".json"}
    if importlib.util.find_spec("mmengine") is not None:
        suffixes.add(".py")
    out = []
    for path in sorted(p for p in folder.rglob("*") if p.suffix in suffixes) if folder.is_dir() else []:
        cfg = mmengine.load_config(path)
        if "param_scheduler" not in cfg:
            continue
        loop = cfg.get("train_cfg") or {}
        if isinstance(loop.get("max_iters"), int) and loop["max_iters"] > 10_000:
            cfg = scale_mmengine_iters(cfg, 50)
        out.append(Source("mmengine", str(path.relative_to(folder)), cfg, 2))
    return out


def scale_mmengine_iters(cfg: dict[str, Any], factor: int) -> dict[str, Any]:
    """An mmengine config whose 100k-600k iteration run is divided by ``factor``: ``train_cfg.max_iters``, every
    scheduler's ``begin`` and ``end`` and every CosineRestart period (in place; returns ``cfg``)."""
    cfg["train_cfg"]["max_iters"] //= factor
    entries = cfg["param_scheduler"] if isinstance(cfg["param_scheduler"], list) else [cfg["param_scheduler"]]
    for entry in entries:
        for key in ("begin", "end"):
            if isinstance(entry.get(key), int):
                entry[key] //= factor
        if "periods" in entry:
            entry["periods"] = [p // factor for p in entry["periods"]]
    return cfg


_SOURCES: Mapping[str, Callable[[Path], list[Source]]] = {
    "ppocr": _ppocr_sources,
    "ppcls": _ppcls_sources,
    "ppdet": _ppdet_sources,
    "ppseg": _ppseg_sources,
    "paddlenlp": _paddlenlp_sources,
    "hf": _hf_sources,
    "timm": _timm_sources,
    "mmengine": _mmengine_sources,
}


def real_sources(data_dir: str | Path, kinds: Iterable[str] = KINDS) -> list[Source]:
    """The real recipes stored for the parity tests under ``data_dir`` (``parity_tests/recipes_data``), per kind:
    PaddleOCR's configs (one per lr class, from ``tests/data/ppocr_configs.yaml``), every PaddleClas, PaddleSeg,
    PaddleNLP, HF and timm file (timm's documented command lines too), every PaddleDetection file with a
    ``LearningRate``, mmengine's data files; scaled down as the kinds' parity tests scale them (PaddleClas to at most
    120 epochs, timm commands to a 15th of their epochs; PaddleSeg's iterations by :data:`PPSEG_SCALE`), with the
    steps per epoch those tests use."""
    data = Path(data_dir)
    out: list[Source] = []
    for kind in kinds:
        out += _SOURCES[kind](data)
    return out


# -- one conversion ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Conversion:
    """One schedule written as a target and read back.

    Attributes:
        target: the target kind, or ``"torch"``/``"paddle"``.
        status: ``"exact"`` (bit-identical at every update), ``"approximate"`` (within ``max_diff``),
            ``"inexpressible"`` (the target cannot express it: ``reason``), ``"unavailable"`` (the target's export
            is not written yet), ``"error"`` (the target's export or reader failed unexpectedly: a bug, ``reason``).
        max_diff: the largest difference over the run relative to its peak lr (None unless exported): read back by
            lrparity (``round_trip``) or, with ``reference=True``, by the target's real code (``reference_diff``).
        round_trip: that difference for lrparity's reading of the exported config (natives: the planned tolerance).
        reference_diff: that difference for the target's real code (None: not run). For torch and paddle the
            status is the plan's claim (``exact``: bit-identical, else within ``round_trip``, the natives'
            tolerance), and ``max_diff`` is the larger of the claim and what running them measured.
        reason: why not (inexpressible, unavailable), or what the native does differently.
        config: the exported config (the native plan for torch/paddle), or None.
    """

    target: str
    status: str
    max_diff: float | None = None
    round_trip: float | None = None
    reference_diff: float | None = None
    reason: str = ""
    config: Any = None


def _without_reprs(text: str) -> str:
    """``text`` with each parenthesised group that holds a ``name=value`` (a schedule's repr) shortened to ``(...)``,
    so that the same reason for different schedules reads the same."""
    out: list[str] = []
    stack: list[int] = []  # where each open group starts in ``out``
    for ch in text:
        if ch == "(":
            stack.append(len(out))
            out.append(ch)
        elif ch == ")" and stack:
            start = stack.pop()
            inner = "".join(out[start + 1 :])
            del out[start + 1 :]
            out.append("..." if "=" in inner else inner)
            out.append(ch)
        else:
            out.append(ch)
    return "".join(out)


def _relative_to_peak(a: np.ndarray, b: np.ndarray) -> float:
    peak = float(np.max(np.abs(a), initial=0.0))
    diff = float(np.max(np.abs(a - b), initial=0.0))
    if diff == 0.0:
        return 0.0
    return diff / peak if peak > 0 else math.inf


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def _quiet(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args, **kwargs)


def _native_plan(schedule: Any, framework: str) -> tuple[Any, float | None]:
    """The natives' plan of ``schedule`` and the torch optimizer's lr it is planned for (None for paddle)."""
    from lrparity.backends import natives

    table = natives(framework)
    if framework == "torch":
        lr = pinned_base_lr(schedule) or TORCH_LR
        return table.plan(schedule, [lr]), lr
    return table.plan(schedule, None), None


def _run_native(call: Any, framework: str, lr: float | None, steps: int) -> np.ndarray:
    from lrparity.parity.runners import run_paddle_native, run_torch_native

    if framework == "torch":
        return run_torch_native(call.build, lr, steps)
    return run_paddle_native(call.build, steps)


def convert(
    schedule: Any,
    target: str,
    *,
    updates: int | None,
    steps_per_epoch: int | None,
    base_lr: float | None = None,
    reference: bool = False,
    lr_modules: Mapping[str, Any] | None = None,
) -> Conversion:
    """``schedule`` written as ``target`` and read back, compared at every update ``0..updates-1``.

    Args:
        schedule: an absolute schedule (or a relative one with ``base_lr``), or a metric-driven ``Plateau`` (then
            the read-back must equal it as a value; nothing is run).
        target: a recipe kind, ``"torch"`` or ``"paddle"``.
        updates: the run's optimizer updates (None: the schedule's own length).
        steps_per_epoch: optimizer updates per epoch of the run (kinds that count epochs need it).
        base_lr: the base lr of a relative schedule.
        reference: also run the target's real code on the exported config (the kind's ``reference()``, the
            framework's natives) and compare it; imports the target's library.
        lr_modules: ``{kind: module}`` handed to a kind's ``reference(lr_module=...)`` (the Paddle suites' modules
            loaded from their wheels); default: the kind imports the installed package.
    """
    from lrparity.recipes import export, module
    from lrparity.recipes import schedule as read_back

    steps = updates if updates is not None else getattr(schedule, "length", None)
    metric_driven = is_metric_driven(schedule)
    if target in NATIVE_TARGETS:
        try:
            call, lr = _native_plan(schedule if base_lr is None else _pinned(schedule, base_lr), target)
        except ValueError as exc:  # Inexpressible is a ValueError
            return Conversion(target, "inexpressible", reason=_one_line(exc))
        rtol = max(c.rtol for c in call.calls())
        notes = "; ".join(c.note for c in call.calls() if c.note)
        planned = Conversion(
            target, "exact" if rtol == 0 and not notes else "approximate", rtol, rtol, None, notes, call
        )
        if not reference or metric_driven or steps is None:
            return planned
        want = _pinned(schedule, base_lr).values(range(steps))
        got = _run_native(call, target, lr, steps)
        d = _relative_to_peak(want, got)  # the status stays the plan's claim; the test holds d to it
        return dataclasses.replace(planned, max_diff=max(d, rtol), reference_diff=d)
    try:
        ctx = export_context(target, schedule, updates=steps, steps_per_epoch=steps_per_epoch, base_lr=base_lr)
        config = _quiet(export, schedule, target, **ctx)
    except NotImplementedError:
        return Conversion(target, "unavailable", reason=f"lrparity.recipes.{target}.export is not written yet")
    except (ValueError, TypeError) as exc:  # TypeError: a format that takes no metric-driven schedule
        return Conversion(target, "inexpressible", reason=_one_line(exc))
    except Exception as exc:  # a bug of the target's export: reported in the matrix (the tests fail on it)
        return Conversion(target, "error", reason=f"{type(exc).__name__}: {_one_line(exc)}")
    try:
        back = _quiet(read_back, target, config, steps_per_epoch=steps_per_epoch)
    except Exception as exc:  # the target cannot read what its export wrote: a bug, reported
        return Conversion(target, "error", reason=f"reading the export back: {type(exc).__name__}: {_one_line(exc)}")
    if metric_driven:
        same = back == schedule
        return Conversion(target, "exact" if same else "approximate", 0.0 if same else math.inf, 0.0, None, "", config)
    assert steps is not None
    want = _pinned(schedule, base_lr).values(range(steps))
    d = _relative_to_peak(want, back.values(range(steps)))
    ref_d = None
    if reference:
        mod = module(target)
        kwargs = {"lr_module": lr_modules[target]} if lr_modules and target in lr_modules else {}
        got = _quiet(mod.reference, config, steps_per_epoch=steps_per_epoch, steps=steps, **kwargs)
        ref_d = _relative_to_peak(want, np.asarray(got, dtype=np.float64))
    worst = d if ref_d is None else max(d, ref_d)
    return Conversion(target, "exact" if worst == 0 else "approximate", worst, d, ref_d, "", config)


def _pinned(schedule: Any, base_lr: float | None) -> Any:
    if base_lr is None or not getattr(schedule, "uses_base_lr", False):
        return schedule
    from lrparity.core import WithBaseLR

    return WithBaseLR(schedule, base_lr)


# -- the matrix ----------------------------------------------------------------------------------------------------
@dataclass
class Matrix:
    """Every source recipe converted to every target.

    Attributes:
        runs: ``{(kind, label): RecipeRun}`` of the sources that read.
        unread: ``{(kind, label): why}`` for the stored configs that do not read (a config its own ecosystem
            refuses, a list of optimizers with different schedules...).
        conversions: ``{(kind, label, target): Conversion}``.
        targets: the targets, in column order.
    """

    runs: dict[tuple[str, str], RecipeRun] = field(default_factory=dict)
    unread: dict[tuple[str, str], str] = field(default_factory=dict)
    conversions: dict[tuple[str, str, str], Conversion] = field(default_factory=dict)
    targets: tuple[str, ...] = TARGETS

    def sources(self, kind: str) -> list[str]:
        """The labels of ``kind``'s configs that read, in order."""
        return [label for k, label in self.runs if k == kind]

    def cell(self, kind: str, target: str) -> list[Conversion]:
        """The conversions of ``kind``'s configs to ``target``."""
        return [self.conversions[(kind, label, target)] for label in self.sources(kind)]

    def cell_text(self, kind: str, target: str) -> str:
        """``exact n/N``, ``≤ d n/N``, ``—`` (none expressible), ``ERROR e/N``: the cell of the table."""
        cell = self.cell(kind, target)
        if not cell:
            return "no configs"
        done = [c for c in cell if c.status in ("exact", "approximate")]
        n = len(cell)
        errors = sum(c.status == "error" for c in cell)
        if errors:
            return f"ERROR {errors}/{n}"
        if not done:
            return "—" if any(c.status == "inexpressible" for c in cell) else "not written yet"
        worst = max(c.max_diff or 0.0 for c in done)
        value = "exact" if worst == 0 else f"≤ {worst:.1e}"
        return f"{value} {len(done)}/{n}"

    def reasons(self, kind: str, target: str) -> list[tuple[str, str]]:
        """``(label, reason)`` of each config of ``kind`` that ``target`` cannot express."""
        return [
            (label, c.reason)
            for label, c in zip(self.sources(kind), self.cell(kind, target), strict=True)
            if c.status not in ("exact", "approximate")
        ]

    def kinds(self) -> list[str]:
        """The source kinds, in :data:`~lrparity.recipes.KINDS` order (those with configs stored)."""
        present = {k for k, _ in self.runs} | {k for k, _ in self.unread}
        return [k for k in KINDS if k in present]

    def largest_difference(self) -> float:
        """The largest difference of any conversion that was made, relative to its run's peak lr."""
        return max((c.max_diff or 0.0 for c in self.conversions.values() if c.max_diff is not None), default=0.0)

    def table(self) -> str:
        """The matrix as a Markdown table: rows the source kinds (with their number of configs), columns the
        targets."""
        head = "| source \\ target | " + " | ".join(f"`{t}`" for t in self.targets) + " |"
        rule = "|---|" + "---|" * len(self.targets)
        rows = []
        for kind in self.kinds():
            n = len(self.sources(kind))
            cells = " | ".join(self.cell_text(kind, t) for t in self.targets)
            rows.append(f"| `{kind}` ({n} configs) | {cells} |")
        return "\n".join([head, rule, *rows])

    def why_not(self, width: int = 240) -> str:
        """A Markdown list: for each cell with configs the target cannot express, the reasons, each once (the target's
        own error message with the schedules' reprs left out, shortened to ``width`` characters), with the number of
        configs it applies to."""
        lines = []
        for kind in self.kinds():
            for target in self.targets:
                found: dict[str, int] = {}
                for _, reason in self.reasons(kind, target):
                    text = _without_reprs(reason)
                    text = text if len(text) <= width else text[: width - 3] + "..."
                    found[text] = found.get(text, 0) + 1
                for text, count in found.items():
                    lines.append(f"- `{kind}` → `{target}` ({count}): {text}")
        return "\n".join(lines)

    def markdown(self) -> str:
        """The table, the configs that did not read, and the reasons, as Markdown."""
        parts = [self.table()]
        if self.unread:
            parts.append(
                "Stored configs that do not read (their own ecosystem refuses them too, or they hold several "
                "different schedules):\n\n"
                + "\n".join(f"- `{k}` {label}: {why}" for (k, label), why in self.unread.items())
            )
        reasons = self.why_not()
        if reasons:
            parts.append("Why not (the target's own message; how many configs):\n\n" + reasons)
        return "\n\n".join(parts) + "\n"


def conversion_matrix(
    data_dir: str | Path,
    *,
    kinds: Iterable[str] = KINDS,
    targets: Sequence[str] = TARGETS,
    reference: bool = False,
    lr_modules: Mapping[str, Any] | None = None,
    sources: Iterable[Source] | None = None,
) -> Matrix:
    """Every real recipe of ``kinds`` (:func:`real_sources` of ``data_dir``, or ``sources``) converted to every target
    (:func:`convert`); ``reference=True`` runs each target's real code too (for the tests, not the docs build)."""
    matrix = Matrix(targets=tuple(targets))
    for source in real_sources(data_dir, kinds) if sources is None else sources:
        key = (source.kind, source.label)
        try:
            run = describe(source.kind, source.config, steps_per_epoch=source.steps_per_epoch)
        except (ValueError, TypeError) as exc:
            matrix.unread[key] = _one_line(exc)
            continue
        matrix.runs[key] = run
        spe = run.updates_per_epoch or 1
        for target in targets:
            matrix.conversions[(*key, target)] = convert(
                run.schedule,
                target,
                updates=run.updates,
                steps_per_epoch=spe,
                reference=reference,
                lr_modules=lr_modules,
            )
    return matrix
