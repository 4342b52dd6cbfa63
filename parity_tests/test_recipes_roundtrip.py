"""Every format in, every format out, each direction proven against the real libraries (issue 13, items 3 and 5).

1. **The catalogue round trip.** For every schedule of the parity catalogue (its absolute form: ``WithBaseLR`` where
   the entry is relative) and every recipe kind, either ``lrparity.recipes.export`` raises a ValueError naming what
   the format cannot express, or the exported config, read back by ``lrparity.recipes.schedule(kind, ...)``, equals
   the schedule at every update of the entry's run, and the kind's real code (``reference()``: transformers, timm,
   mmengine, PaddleDetection/PaddleSeg/PaddleNLP loaded from their wheels, PaddleOCR's and PaddleClas's classes
   restated on paddle's schedulers) runs the exported config and equals it at every update too.
2. **The conversion matrix** (:mod:`lrparity.recipes.matrix`) of the stored real recipes, computed as the docs build
   computes it (lrparity reading each export back; the natives' planned tolerance), and again with every target's
   real code running every exported config (torch's and paddle's natives included): the same conversions made and
   refused, the same read-back numbers, and the real code within the tolerance at every update (natives planned
   bit-identical: bit-identical). ``pytest -s`` prints it with the numbers measured against the real code.
3. **The three conversions issue 13 calls most useful**, end to end through ``lrparity export KIND:CONFIG --to
   KIND``: a PaddleOCR and a PaddleClas warmup + cosine to an mmengine ``param_scheduler`` (run by mmengine from the
   Python file written), a Hugging Face cosine-with-warmup to PaddleNLP (run by PaddleNLP's own scheduler code), a
   timm recipe to paddle (run by paddle), each compared with the source ecosystem's own run at every update.

Tolerance, precisely: ``max_i |a_i - b_i| <= 1e-12 * max_i |a_i|`` over the run's updates ``i`` (``a`` the schedule,
``b`` what came back): relative to the run's **peak** lr, not to each value. Two correct cosine formulas differ by a
few 1e-12 *relative* where the cosine nears 0 (a value of 1e-9 carries the rounding of 1e-3 terms), while the
difference stays far below 1e-12 of the peak (the largest seen is printed).
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

pytest.importorskip("paddle")
pytest.importorskip("torch")

from lrparity.cli import main
from lrparity.core import Schedule, WithBaseLR
from lrparity.parity.catalogue import CATALOGUE
from lrparity.recipes import KINDS, module
from lrparity.recipes.matrix import PEAK_RTOL, TARGETS, conversion_matrix, convert
from lrparity.recipes.runs import describe

pytestmark = [pytest.mark.paddle, pytest.mark.torch]

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "parity_tests" / "recipes_data"
STEPS_PER_EPOCH = 100
"""Updates per epoch of the catalogue's runs (10 000 updates: 100 epochs) for the kinds that count epochs."""
CONTEXT_KEYS = ("steps_per_epoch", "epochs", "iters", "max_steps", "total_steps", "base_lr")


@pytest.fixture(scope="module")
def lr_modules() -> dict[str, Any]:
    """The Paddle suites' modules loaded from their wheels, by the loaders of their own parity tests."""

    def load(kind: str, loader: str, *args: Any) -> Any:
        return getattr(importlib.import_module(f"parity_tests.test_recipes_{kind}"), loader)(*args)

    return {
        "ppdet": load("ppdet", "_module"),
        "ppseg": load("ppseg", "_builder"),
        "paddlenlp": list(load("paddlenlp", "_modules", "2.8.1")),
    }


def _absolute(entry: Any) -> Schedule:
    return entry.schedule if entry.base_lr is None else WithBaseLR(entry.schedule, entry.base_lr)


def _names(schedule: Any, found: set[str]) -> set[str]:
    """The class names and field names of ``schedule``'s tree (what an export error may name)."""
    found.add(type(schedule).__name__)
    if dataclasses.is_dataclass(schedule):
        for f in dataclasses.fields(schedule):
            found.add(f.name)
            value = getattr(schedule, f.name)
            for item in value if isinstance(value, tuple) else (value,):
                if isinstance(item, Schedule):
                    _names(item, found)
    return found


def _names_what_it_cannot_express(message: str, schedule: Schedule) -> bool:
    """The message names a class or a parameter of the schedule (``milestones`` as "milestone"), a context key, or
    the update where the format's values part from the schedule's."""
    words = {n.rstrip("s") for n in _names(schedule, set()) if len(n) > 2} | set(CONTEXT_KEYS)
    return any(w in message for w in words) or " update " in message


# -- 1. the catalogue through every kind -----------------------------------------------------------------------------
@pytest.mark.parametrize("kind", KINDS)
def test_every_catalogue_schedule_round_trips_or_is_refused_by_name(kind: str, lr_modules: dict[str, Any]) -> None:
    exported, refused = [], []
    for entry in CATALOGUE:
        schedule = _absolute(entry)
        c = convert(
            schedule, kind, updates=entry.steps, steps_per_epoch=STEPS_PER_EPOCH, reference=True, lr_modules=lr_modules
        )
        assert c.status in ("exact", "approximate", "inexpressible"), f"{entry.name} -> {kind}: {c.reason}"
        if c.status == "inexpressible":
            assert _names_what_it_cannot_express(c.reason, schedule), f"{entry.name} -> {kind}: {c.reason!r}"
            refused.append(entry.name)
            continue
        assert c.round_trip is not None and c.reference_diff is not None
        assert c.round_trip <= PEAK_RTOL, f"{entry.name} -> {kind}: read back {c.round_trip:.3g} of the peak"
        assert c.reference_diff <= PEAK_RTOL, f"{entry.name} -> {kind}: {kind}'s own code {c.reference_diff:.3g}"
        exported.append((entry.name, c.max_diff))
    worst = max((d for _, d in exported), default=0.0)
    print(f"\n{kind}: {len(exported)}/{len(CATALOGUE)} catalogue schedules exported, read back and run by "
          f"{kind}'s own code (largest difference {worst:.3g} of the peak lr)")  # fmt: skip
    print(f"  refused, naming what the format cannot express: {', '.join(refused)}")
    assert exported, f"{kind} exports no catalogue schedule at all"


# -- 2. the conversion matrix ----------------------------------------------------------------------------------------
def test_conversion_matrix_holds_against_the_real_libraries(lr_modules: dict[str, Any]) -> None:
    docs = conversion_matrix(DATA)  # what docs/recipes/index.md shows (built without the libraries)
    real = conversion_matrix(DATA, reference=True, lr_modules=lr_modules)
    assert set(real.conversions) == set(docs.conversions) and real.unread == docs.unread
    errors = {k: c.reason for k, c in real.conversions.items() if c.status == "error"}
    assert not errors, errors
    converted = ("exact", "approximate")
    for key, c in real.conversions.items():
        shown = docs.conversions[key]
        assert (c.status in converted) == (shown.status in converted), (key, c, shown)
        assert c.round_trip == shown.round_trip, (key, c, shown)  # the docs' numbers are lrparity's reading
        if c.status in converted and c.reference_diff is not None:  # None: a plateau (no curve to run)
            assert c.reference_diff <= PEAK_RTOL, (key, c.reference_diff)
            assert c.max_diff is not None and c.max_diff <= PEAK_RTOL, (key, c.max_diff)
            if key[2] in ("torch", "paddle") and shown.status == "exact":  # natives planned bit-identical
                assert c.reference_diff == 0.0, (key, c.reference_diff)
    for kind in ("ppocr", "ppcls", "ppdet", "ppseg", "paddlenlp", "hf", "timm", "mmengine"):
        assert real.sources(kind), f"no real {kind} recipe read"
        assert real.cell(kind, kind) and any(c.status != "inexpressible" for c in real.cell(kind, kind))
    measured = max((c.reference_diff or 0.0) for c in real.conversions.values())
    print("\nThe conversion matrix (rows: source kinds; columns: targets; exact = bit-identical at every update, "
          "else the largest difference relative to the peak lr):\n")  # fmt: skip
    print(real.table())
    print(f"\nlargest difference measured against the targets' real code: {measured:.3g} of the peak lr")
    print("configs per kind: " + ", ".join(f"{k} {len(real.sources(k))}" for k in real.kinds()))
    print("\nnot expressible:\n" + real.why_not(160))


# -- 3. the conversions users ask for first ------------------------------------------------------------------------
def _export(capsys: pytest.CaptureFixture[str], spec: str, target: str, out: Path, spe: int) -> Path:
    capsys.readouterr()
    assert main(["export", spec, "--to", target, "--steps-per-epoch", str(spe), "-o", str(out)]) == 0
    return out


def _within_peak(a: np.ndarray, b: np.ndarray, what: str) -> float:
    assert a.shape == b.shape, what
    d = float(np.max(np.abs(a - b)) / np.max(np.abs(a)))
    assert d <= PEAK_RTOL, f"{what}: {d:.3g} of the peak lr"
    return d


@pytest.mark.parametrize(
    ("kind", "config", "spe"),
    [
        ("ppocr", ROOT / "lrparity" / "examples" / "ppocr_det.yml", 10),  # PP-OCRv4 det: Cosine, 2 warmup epochs
        ("ppcls", DATA / "ppcls" / "lcnetv2_cosine_warmup.yaml", 7),  # PP-LCNetV2: Cosine, 5 warmup epochs
    ],
)
def test_paddle_warmup_cosine_to_mmengine_runs_in_mmengine(
    kind: str, config: Path, spe: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A PaddleOCR / PaddleClas warmup + cosine as an MMOCR/MMPretrain ``param_scheduler``: the Python config
    ``lrparity export`` writes, read by mmengine's own ``Config.fromfile`` and run by its schedulers, hook and train
    loop, equals PaddleOCR's / PaddleClas's own lr at every update."""
    mm = importlib.import_module("lrparity.recipes.mmengine")
    source = describe(kind, str(config), steps_per_epoch=spe)
    path = _export(capsys, f"{kind}:{config}", "mmengine", tmp_path / "schedule.py", spe)
    text = path.read_text(encoding="utf-8")
    assert "param_scheduler = [" in text and "CosineAnnealingLR" in text
    theirs = module(kind).reference(str(config), steps_per_epoch=spe)  # the Paddle side, on paddle's schedulers
    ran = mm.reference(str(path), steps_per_epoch=source.updates_per_epoch)  # mmengine itself, from the .py file
    assert source.updates == theirs.size == ran.size
    d = _within_peak(theirs, ran, f"{kind} -> mmengine")
    print(f"\n{kind} {config.name} -> mmengine: {ran.size} updates, largest difference {d:.3g} of the peak lr")


def test_hf_cosine_with_warmup_to_paddlenlp_runs_in_paddlenlp(
    lr_modules: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """alignment-handbook's zephyr SFT recipe (cosine, 4.x ``warmup_ratio``) as PaddleNLP Trainer arguments: PaddleNLP's
    own ``Trainer.create_scheduler`` / ``get_scheduler`` run on the JSON written equals transformers' Trainer on the
    recipe at every update."""
    nlp = importlib.import_module("lrparity.recipes.paddlenlp")
    hf = importlib.import_module("lrparity.recipes.hf")
    config = DATA / "hf" / "zephyr-7b-beta_sft_full.yaml"
    path = _export(capsys, f"hf:{config}", "paddlenlp", tmp_path / "args.json", 403)
    args = json.loads(path.read_text(encoding="utf-8"))
    assert args["lr_scheduler_type"] == "cosine" and args["warmup_steps"] > 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        transformers_lrs = hf.reference(str(config), steps_per_epoch=403)
    paddlenlp_lrs = nlp.reference(str(path), lr_module=lr_modules["paddlenlp"])
    d = _within_peak(transformers_lrs, paddlenlp_lrs, "hf -> paddlenlp")
    print(f"\nzephyr (hf) -> paddlenlp: {paddlenlp_lrs.size} updates, largest difference {d:.3g} of the peak lr")


def _timm_recipes(tmp_path: Path) -> list[Path]:
    mobileone = (DATA / "timm" / "mobileone_s1_train.yaml").read_text(encoding="utf-8")
    single_gpu = tmp_path / "mobileone_s1_train.yaml"  # lr from lr_base: one GPU (args.yaml does not record it)
    single_gpu.write_text(mobileone + "\nworld_size: 1\n", encoding="utf-8")
    return [DATA / "timm" / "marqo_nsfw_image_detection_384.yaml", single_gpu]


def test_timm_recipe_to_paddle_runs_in_paddle(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """timm recipes (per-epoch cosine with a warmup under it; per-update cosine after a prefixed warmup) in paddle:
    the paddle code ``lrparity recipe timm`` prints, run as printed (a paddle ``LRScheduler`` driving a paddle
    optimizer), equals timm's own scheduler at every update. paddle's own schedulers have no per-epoch stepping nor
    timm's warmup arithmetic: ``lrparity export --to paddle`` says so in one line (or, once they can, its code is run
    and compared too)."""
    timm = importlib.import_module("lrparity.recipes.timm")
    for config in _timm_recipes(tmp_path):
        capsys.readouterr()
        assert main(["recipe", "timm", str(config), "--steps-per-epoch", "5", "--json", "--no-reference"]) == 0
        report = json.loads(capsys.readouterr().out)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            theirs = timm.reference(str(config), steps_per_epoch=5)
        namespace: dict[str, Any] = {}
        exec(compile(report["paddle"]["lrparity"], f"<lrparity recipe timm {config.name}>", "exec"), namespace)
        scheduler, optimizer = namespace["scheduler"], namespace["optimizer"]
        ran = np.empty(report["updates"])
        for i in range(ran.size):
            ran[i] = optimizer.get_lr()
            scheduler.step()
        assert np.array_equal(ran, theirs), f"timm {config.name} -> paddle"
        native = report["paddle"]["native"]
        if native is None:
            assert report["paddle"]["native_unavailable"]
            assert main(["export", f"timm:{config}", "--steps-per-epoch", "5", "--to", "paddle"]) == 2
            err = capsys.readouterr().err.strip()
            assert err.count("\n") == 0 and err.startswith("lrparity: error: --to paddle:"), err
        else:  # paddle's own schedulers, from the code printed
            namespace = {}
            exec(compile(native, "<to_native_code>", "exec"), namespace)
            sched = namespace["build_scheduler"]()
            ran = np.empty(theirs.size)
            for i in range(ran.size):
                ran[i] = sched()
                sched.step()
            _within_peak(theirs, ran, f"timm {config.name} -> paddle natives")
        print(f"\ntimm {config.name} -> paddle: {theirs.size} updates bit-identical (paddle's own schedulers: "
              f"{'yes' if native else 'no: ' + report['paddle']['native_unavailable']})")  # fmt: skip


def test_targets_are_every_kind_and_both_frameworks() -> None:
    assert TARGETS == (*KINDS, "torch", "paddle")
