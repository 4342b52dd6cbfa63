"""The recipe kinds tied together: ``lrparity recipe``, ``KIND:CONFIG`` for show/plot/table, ``lrparity export --to
KIND``, the per-kind facts (:mod:`lrparity.recipes.runs`), the conversion matrix's bookkeeping
(:mod:`lrparity.recipes.matrix`; its proof against the real libraries is ``parity_tests/test_recipes_roundtrip.py``),
the recipes overview the docs hook fills, and the reader option that lets real suite configs repeat a key.

No ecosystem library runs here: the parity tables are fed a stand-in ``reference`` where they are checked.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from lrparity.cli import main
from lrparity.core import Cosine, Lambda, Plateau, Step, Warmup, WithBaseLR
from lrparity.core.config_files import (
    ConfigFileError,
    ConfigFileWarning,
    DuplicateKey,
    parse_config_text,
    read_config_file,
)
from lrparity.recipes import KINDS, RecipeWarning, module
from lrparity.recipes import schedule as recipe_schedule
from lrparity.recipes.matrix import TARGETS, Source, _without_reprs, conversion_matrix, convert, real_sources
from lrparity.recipes.runs import SUITES, describe, export_context, supported

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "parity_tests" / "recipes_data"
ZEPHYR = DATA / "hf" / "zephyr-7b-beta_sft_full.yaml"  # cosine, warmup_ratio 0.1: 403 updates at 403 batches
PPDET = DATA / "ppdet" / "configs" / "ppyoloe" / "_base_" / "optimizer_300e.yml"
KNET = DATA / "ppseg" / "configs" / "knet" / "knet_s3_upernet_resnet50_ade20k_512x512_80k.yml"
KNET_FULL = ROOT / "tests" / "data" / "ppseg_knet_full" / "knet_s3_upernet_resnet50_ade20k_512x512_80k.yml"


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def one_line_error(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("lrparity: error: "), err
    return lines[0]


# -- lrparity recipe ------------------------------------------------------------------------------------------------
def test_recipe_prints_what_the_trainer_builds_the_code_the_warnings_and_the_parity_section(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = cli(capsys, "recipe", "hf", str(ZEPHYR), "--steps-per-epoch", "403", "--no-reference")
    assert code == 0
    assert out.startswith(f"# hf {ZEPHYR}: Hugging Face Trainer, 403 optimizer updates")
    assert (
        "transformers.get_scheduler('cosine', optimizer (lr 2e-05), num_warmup_steps=41, num_training_steps=403)" in out
    )
    for section in ("## torch: lrparity (Python)", "## paddle: lrparity (Python)", "## schedule config (JSON)",
                    "## torch: its own schedulers", "## paddle: its own schedulers", "## warnings",
                    "## parity against transformers' Trainer"):  # fmt: skip
        assert section in out
    assert "lrparity.torch_scheduler(schedule, optimizer)" in out and "lrparity.paddle_scheduler(schedule)" in out
    assert "not expressible: torch has no scheduler that computes CosineWarmupDecay" in out
    assert "skipped (--no-reference)" in out


def test_recipe_json_is_one_object_whose_snippets_are_formatted_and_run(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "recipe", "ppseg", str(KNET), "--json", "--no-reference")
    assert code == 0
    report = json.loads(out)
    assert report["kind"] == "ppseg" and report["updates"] == 80_000 and report["updates_per_epoch"] is None
    assert report["warnings"] and "61000" in report["warnings"][0]  # the milestones shifted by the warmup
    schedule = recipe_schedule("ppseg", str(KNET))
    assert report["schedule"] == json.loads(json.dumps(schedule.to_config()))
    for framework in ("torch", "paddle"):
        block = report[framework]
        compile(block["lrparity"], f"<{framework} snippet>", "exec")
        assert block["native"] is not None and "def build_scheduler(" in block["native"]  # Warmup + MultiStep
        compile(block["native"], f"<{framework} natives>", "exec")
    ruff = Path(sys.executable).parent / "ruff"
    if ruff.exists():  # laid out as ruff formats it (line length 120, the project's setting)
        for framework in ("torch", "paddle"):
            source = report[framework]["lrparity"] + "\n"  # as printed
            r = subprocess.run([str(ruff), "format", "--check", "--line-length", "120", "-"], input=source,
                               capture_output=True, text=True, timeout=60)  # fmt: skip
            assert r.returncode == 0, r.stdout + r.stderr
    torch = pytest.importorskip("torch")
    namespace: dict[str, Any] = {}
    exec(report["torch"]["lrparity"], namespace)  # runs as printed
    optimizer, scheduler = namespace["optimizer"], namespace["scheduler"]
    lrs = []
    for _ in range(1500):
        lrs.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    assert isinstance(optimizer, torch.optim.SGD)
    assert np.array_equal(np.array(lrs), schedule.values(range(1500)))


def test_recipe_parity_table_compares_every_update_with_the_reference(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    hf = module("hf")
    ours = recipe_schedule("hf", str(ZEPHYR), steps_per_epoch=403).values(range(403))
    calls: list[dict[str, Any]] = []

    def same(config: Any, **kwargs: Any) -> np.ndarray:
        calls.append(kwargs)
        return ours[: kwargs["steps"]].copy()

    monkeypatch.setattr(hf, "reference", same)
    code, out, _ = cli(capsys, "recipe", "hf", str(ZEPHYR), "--steps-per-epoch", "403", "--rows", "5")
    assert code == 0 and calls == [{"steps_per_epoch": 403, "steps": 403}]
    assert "403/403 updates bit-identical" in out and "(equal within 1e-12 of the peak lr)" in out
    table = out[out.index("## parity against") :].split("\n\n")[1].splitlines()  # header and rows
    assert table[0].split() == ["update", "lrparity", "reference", "abs", "diff"] and len(table) == 1 + 5

    def off(config: Any, **kwargs: Any) -> np.ndarray:
        ref = ours[: kwargs["steps"]].copy()
        if len(ref) > 200:
            ref[200] *= 1 + 1e-9
        return ref

    monkeypatch.setattr(hf, "reference", off)
    code, out, _ = cli(capsys, "recipe", "hf", str(ZEPHYR), "--steps-per-epoch", "403", "--json")
    parity = json.loads(out)["parity"]
    assert parity["identical_steps"] == 402 and not parity["within_peak_rtol"]
    assert 200 in [r["update"] for r in parity["rows"]]  # the largest difference is shown
    code, out, _ = cli(capsys, "recipe", "hf", str(ZEPHYR), "--steps-per-epoch", "403", "--reference-steps", "100")
    assert "100/100 updates bit-identical" in out

    def missing(config: Any, **kwargs: Any) -> np.ndarray:
        raise ImportError("hf reference: needs transformers (pip install 'transformers==5.24.0', and torch)")

    monkeypatch.setattr(hf, "reference", missing)
    code, out, _ = cli(capsys, "recipe", "hf", str(ZEPHYR), "--steps-per-epoch", "403")
    assert code == 0
    assert "skipped: transformers' Trainer cannot be imported (hf reference: needs transformers" in out


def test_recipe_of_a_metric_driven_config(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "recipe", "ppcls", str(DATA / "ppcls" / "xbm_plateau.yaml"), "--json")
    assert code == 0
    report = json.loads(out)
    assert report["metric_driven"] and report["schedule"]["type"] == "reduce_on_plateau.v1"
    assert report["parity"].startswith("skipped: a metric-driven Plateau follows the metric")
    assert "scheduler.step(metric)" in report["torch"]["lrparity"]


def test_recipe_writes_the_plot(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    image = tmp_path / "lr.png"
    code, out, _ = cli(capsys, "recipe", "hf", str(ZEPHYR), "--steps-per-epoch", "403", "--no-reference",
                       "--plot", str(image))  # fmt: skip
    assert code == 0 and out.rstrip().endswith(f"wrote {image}")
    assert image.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["recipe", "ppdet", str(PPDET)], "give --steps-per-epoch N"),
        (["recipe", "hf", "nope.yaml"], "nope.yaml: no such file (the Hugging Face Trainer config of hf:nope.yaml)"),
        (["recipe", "hf", str(DATA / "hf")], "is a directory"),
        (["recipe", "hf", str(ZEPHYR), "--steps-per-epoch", "0"], "--steps-per-epoch must be in [1, "),
        (["recipe", "hf", str(ZEPHYR), "--rows", "0"], "--rows must be in [1, 1000]"),
        (["recipe", "hf", str(ZEPHYR), "--steps-per-epoch", "403", "--plot", "lr.nope"], "cannot write .nope"),
        (["recipe", "hf", str(DATA / "timm" / "mobileone_s1_train.yaml")], "lrparity: error: "),
    ],
)
def test_recipe_errors_are_one_line_with_status_2(
    capsys: pytest.CaptureFixture[str], args: list[str], expected: str
) -> None:
    code, out, err = cli(capsys, *args)
    assert code == 2 and out == ""
    assert expected in one_line_error(err)


def test_recipe_reads_a_bundled_paddleocr_example(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "recipe", "ppocr", "ppocr_det", "--steps-per-epoch", "10", "--no-reference")
    assert code == 0 and "PaddleOCR, 5000 optimizer updates" in out


# -- KIND:CONFIG everywhere ------------------------------------------------------------------------------------------
def test_kind_config_in_show_runs_the_recipe_and_its_run(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "show", f"ppseg:{KNET}")
    assert code == 0
    rows = dict(line.split(":", 1) for line in out.splitlines())
    assert rows["length"].strip() == "80000 steps (the training run; the schedule's own length: 73000)"
    assert rows["evaluated"].strip() == "steps 0..79999 (80000 values)"  # the default: the recipe's run of T updates
    assert "milestones [60000, 72000] fall at iterations [61000, 73000]" in rows["warning"]
    code, out, _ = cli(capsys, "show", f"ppdet:{PPDET}", "--steps-per-epoch", "3")
    assert code == 0 and "epochs:      300 x 3 steps per epoch" in out and "steps 0..899" in out


def test_kind_config_in_table_and_plot(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = cli(capsys, "table", f"hf:{ZEPHYR}", "--steps-per-epoch", "403", "--steps", "403", "--every", "100",
                       "--format", "json")  # fmt: skip
    assert code == 0
    doc = json.loads(out)
    want = recipe_schedule("hf", str(ZEPHYR), steps_per_epoch=403).values(range(403))
    assert [r["lr"] for r in doc["rows"]] == [float(want[s]) for s in (0, 100, 200, 300, 400)]
    assert doc["rows"][1]["epoch"] == 100 / 403  # updates per epoch
    pytest.importorskip("matplotlib")
    code, out, _ = cli(capsys, "plot", f"hf:{ZEPHYR}", f"ppdet:{PPDET}", "--steps-per-epoch", "3", "-o",
                       str(tmp_path / "two.png"))  # fmt: skip
    assert code == 0 and "2 schedule(s), 900 steps" in out  # the longest run


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["show", f"ppdet:{PPDET}"], "give --steps-per-epoch N"),
        (["show", f"hf:{ZEPHYR}", "--steps-per-epoch", "403", "--epochs", "3"], "whose config sets the run"),
        (["show", "ppseg:missing.yml"], "missing.yml: no such file"),
        (["show", "ppseg:"], "give the path of the PaddleSeg config after 'ppseg:'"),
        (["show", "nokind:x"], "'nokind' is not a KIND of KIND:CONFIG"),
        (["show", f"ppcls:{DATA / 'ppcls' / 'xbm_plateau.yaml'}"], "metric-driven Plateau"),
    ],
)
def test_kind_config_errors(capsys: pytest.CaptureFixture[str], args: list[str], expected: str) -> None:
    code, _, err = cli(capsys, *args)
    assert code == 2 and expected in one_line_error(err)


def test_help_lists_kind_config(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert (
        "KIND:CONFIG (a training recipe; KIND one of ppocr, ppcls, ppdet, ppseg, paddlenlp, hf, timm, mmengine" in out
    )


# -- lrparity export --to KIND ---------------------------------------------------------------------------------------
def test_export_an_hf_recipe_to_paddlenlp(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = cli(capsys, "export", f"hf:{ZEPHYR}", "--steps-per-epoch", "403", "--to", "paddlenlp")
    assert code == 0
    args = json.loads(out)
    assert args == {"learning_rate": 2e-05, "lr_scheduler_type": "cosine", "num_cycles": 0.5, "warmup_steps": 41,
                    "max_steps": 403}  # fmt: skip
    want = recipe_schedule("hf", str(ZEPHYR), steps_per_epoch=403).values(range(403))
    assert np.array_equal(recipe_schedule("paddlenlp", args).values(range(403)), want)


@pytest.fixture
def relative(tmp_path: Path) -> Path:
    """A relative schedule config (it scales a base lr): a linear warmup from 0 over 200 steps, then a cosine."""
    path = tmp_path / "warmup_cosine.yaml"
    path.write_text("type: warmup\nwarmup_steps: 200\nschedule: {type: cosine, T_max: 1800}\n", encoding="utf-8")
    return path


def test_export_a_schedule_config_to_a_suite_format(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, relative: Path
) -> None:
    out_file = tmp_path / "ppcls.yaml"
    code, _, err = cli(capsys, "export", str(relative), "--to", "ppcls", "--base-lr", "0.1", "--steps-per-epoch",
                       "100", "-o", str(out_file))  # fmt: skip
    assert code == 0 and "PaddleClas YAML" in err
    config = module("ppcls").loads(out_file.read_text(encoding="utf-8"))
    assert config["Global"]["epochs"] == 20 and config["Optimizer"]["lr"]["name"] == "Cosine"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RecipeWarning)
        back = recipe_schedule("ppcls", config, steps_per_epoch=100)
    want = Warmup(Cosine(1800), 200).values(range(2000), 0.1)
    assert np.max(np.abs(back.values(range(2000)) - want)) <= 1e-12 * 0.1


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["export", "RELATIVE", "--to", "ppcls", "--steps-per-epoch", "100"], "is relative (it scales a base lr)"),
        (["export", f"hf:{ZEPHYR}", "--steps-per-epoch", "403", "--to", "ppseg", "--base-lr", "0.1"],
         "pins its own lr"),
        (["export", f"hf:{ZEPHYR}", "--steps-per-epoch", "403", "--to", "ppseg"], "PaddleSeg cannot express"),
        (["export", "RELATIVE", "--to", "ppdet", "--base-lr", "0.1"], "give --steps-per-epoch N"),
        (["export", f"hf:{ZEPHYR}", "--steps-per-epoch", "403", "--to", "ppsegg"], "did you mean 'ppseg'"),
    ],
)  # fmt: skip
def test_export_errors_name_what_cannot_be_written(
    capsys: pytest.CaptureFixture[str], relative: Path, args: list[str], expected: str
) -> None:
    code, out, err = cli(capsys, *[str(relative) if a == "RELATIVE" else a for a in args])
    assert code == 2 and out == ""
    assert expected in one_line_error(err)


def test_every_kind_is_an_export_target() -> None:
    from lrparity.backends.cli import EXPORT_TARGETS
    from lrparity.cli import command_modules

    recipes_cli = command_modules()["recipes"]  # imported as `lrparity` imports it: it registers the kinds
    assert not isinstance(recipes_cli, Exception), repr(recipes_cli)
    assert set(KINDS) <= set(EXPORT_TARGETS), (sorted(EXPORT_TARGETS), recipes_cli.__name__)


# -- the kinds' facts ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kind", "config", "spe", "updates"),
    [
        ("ppocr", ROOT / "lrparity" / "examples" / "ppocr_det.yml", 10, 5000),
        ("ppcls", DATA / "ppcls" / "convnext_tiny_cosine.yaml", 10, 600),  # update_freq 4: 2 updates per epoch
        ("ppdet", PPDET, 3, 900),
        ("ppseg", KNET, None, 80_000),
        ("paddlenlp", DATA / "paddlenlp" / "llama_sft_argument.json", 403, 603),
        ("hf", ZEPHYR, 403, 403),
        ("timm", DATA / "timm" / "marqo_nsfw_image_detection_384.yaml", 5, 100),
    ],
)
def test_describe_gives_the_run_and_what_the_trainer_builds(kind: str, config: Path, spe: Any, updates: int) -> None:
    run = describe(kind, config, steps_per_epoch=spe)
    assert run.kind == kind and run.updates == updates and run.builds and not run.metric_driven
    assert np.array_equal(
        run.schedule.values(range(50)), recipe_schedule(kind, config, steps_per_epoch=spe).values(range(50))
    )
    assert all(isinstance(w, str) for w in run.warnings)
    assert supported(kind) and all(names for names in supported(kind).values())


def test_describe_collects_the_kinds_warnings_without_emitting_them() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        run = describe("paddlenlp", DATA / "paddlenlp" / "llama_sft_argument.json", steps_per_epoch=403)
    assert any("403 // 2 = 201 updates per epoch" in w for w in run.warnings)


def test_export_context_per_kind() -> None:
    s = WithBaseLR(Cosine(1000), 0.1)
    assert export_context("ppcls", s, updates=1000, steps_per_epoch=100) == {"steps_per_epoch": 100, "epochs": 10}
    assert export_context("ppdet", s, updates=1001, steps_per_epoch=100)["epochs"] == 11
    assert export_context("ppseg", s, updates=1000) == {"iters": 1000}
    assert export_context("paddlenlp", s, updates=1000) == {"max_steps": 1000}
    assert export_context("hf", s, updates=1000) == {"max_steps": 1000}
    assert export_context("timm", s, updates=1000, steps_per_epoch=10) == {"steps_per_epoch": 10, "total_steps": 1000}
    assert export_context("mmengine", s, updates=1000, steps_per_epoch=10) == {"epochs": 100, "steps_per_epoch": 10}
    assert export_context("mmengine", s, updates=1001, steps_per_epoch=10) == {"total_steps": 1001}
    assert export_context("ppseg", Cosine(1000), updates=1000, base_lr=0.5) == {"iters": 1000, "base_lr": 0.5}
    assert "base_lr" not in export_context("ppseg", s, updates=1000, base_lr=0.5)  # absolute: carries its lrs
    with pytest.raises(ValueError, match="PaddleOCR counts the run in epochs"):
        export_context("ppocr", s, updates=1000)
    with pytest.raises(ValueError, match="kind must be one of"):
        export_context("keras", s)


# -- the conversion matrix's bookkeeping -----------------------------------------------------------------------------
def test_convert_statuses() -> None:
    c = convert(WithBaseLR(Step(100, 0.5), 0.1), "ppseg", updates=1000, steps_per_epoch=100)
    assert c.status == "exact" and c.max_diff == 0.0 and c.config["lr_scheduler"]["type"] == "StepDecay"
    cosine = WithBaseLR(Cosine(1000), 0.1)  # paddle's cosine and lrparity's: the same closed form, other roundings
    c = convert(cosine, "ppseg", updates=1000, steps_per_epoch=100)
    assert (
        c.status == "approximate"
        and 0 < c.max_diff <= 1e-12
        and c.config["lr_scheduler"]["type"] == "CosineAnnealingDecay"
    )
    c = convert(WithBaseLR(Lambda(lambda t: 0.5), 0.1), "hf", updates=100, steps_per_epoch=10)
    assert c.status == "inexpressible" and "Lambda" in c.reason and c.max_diff is None
    warmup = Warmup(Cosine(900), 100, start_lr=0.01, end_lr=0.1)
    c = convert(warmup, "paddle", updates=1000, steps_per_epoch=10)
    assert c.status == "inexpressible" and "learning_rate is required" in c.reason  # relative: no base lr to give
    c = convert(WithBaseLR(warmup, 0.1), "paddle", updates=1000, steps_per_epoch=10)
    # planned, not run: paddle's CosineAnnealingDecay is a recursion, held to 1e-12 relative
    assert c.status == "approximate" and c.config.name == "LinearWarmup" and c.round_trip == 1e-12
    c = convert(cosine, "torch", updates=1000, steps_per_epoch=10)
    assert c.status == "approximate" and c.round_trip == 1e-12  # torch's CosineAnnealingLR is a recursion
    plateau = Plateau(mode="max", patience=3, start_lr=0.1)
    assert convert(plateau, "timm", updates=None, steps_per_epoch=10).status in ("exact", "inexpressible")


def test_matrix_of_a_few_real_recipes() -> None:
    sources = [s for s in real_sources(DATA, ("hf",)) if s.label == ZEPHYR.name]
    sources.append(Source("hf", "broken.yaml", {"lr_scheduler_type": "cosinus"}, 10))
    m = conversion_matrix(DATA, sources=sources, targets=("paddlenlp", "hf", "ppseg"))
    assert m.kinds() == ["hf"] and m.sources("hf") == [ZEPHYR.name]
    assert ("hf", "broken.yaml") in m.unread and "cosinus" in m.unread[("hf", "broken.yaml")]
    assert m.cell_text("hf", "paddlenlp") == "exact 1/1" and m.cell_text("hf", "ppseg") == "—"
    md = m.markdown()
    assert md.startswith("| source \\ target | `paddlenlp` | `hf` | `ppseg` |")
    assert "| `hf` (1 configs) | exact 1/1 | exact 1/1 | — |" in md
    assert "- `hf` → `ppseg` (1): export: PaddleSeg cannot express CosineWarmupDecay (CosineWarmupDecay(...))" in md
    assert m.largest_difference() == 0.0


def test_real_sources_cover_every_kind_with_stored_configs() -> None:
    found = {k: [s for s in real_sources(DATA, (k,))] for k in KINDS}
    for kind in ("ppocr", "ppcls", "ppdet", "ppseg", "paddlenlp", "hf", "timm", "mmengine"):
        assert found[kind], kind
    assert len(found["timm"]) == 14  # two args.yaml files, nine documented command lines and three of timmdocs
    assert len(found["mmengine"]) == 32  # OpenMMLab's .py configs with a param_scheduler (mmengine reads them)
    assert TARGETS[-2:] == ("torch", "paddle")


def test_reprs_are_left_out_of_reasons() -> None:
    assert _without_reprs("no class for Foo (Foo(a=1, b=Bar(c=2)))") == "no class for Foo (Foo(...))"
    assert _without_reprs("counts (in epochs) only") == "counts (in epochs) only"


# -- the docs hook fills the recipes overview ------------------------------------------------------------------------
def test_docs_hook_fills_the_classes_of_every_kind() -> None:
    spec = importlib.util.spec_from_file_location("lrparity_docs_hooks_recipes", ROOT / "docs" / "hooks.py")
    assert spec is not None and spec.loader is not None
    hooks = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = hooks
    spec.loader.exec_module(hooks)
    text = hooks.fill_recipes_overview("before\n\n<!-- lrparity:recipe-classes -->\nafter\n")
    for kind in KINDS:
        assert f"| [`{kind}`]({kind}.md) | {SUITES[kind]} |" in text
    assert "`CosineFixmatch`" in text and "`warmup_stable_decay`" in text and "`ReduceOnPlateauLR`" in text
    page = (ROOT / "docs" / "recipes" / "index.md").read_text(encoding="utf-8")
    assert hooks.CLASSES_PLACEHOLDER in page and hooks.MATRIX_PLACEHOLDER in page


# -- real suite configs that repeat a key ----------------------------------------------------------------------------
DUPLICATED = """\
lr_scheduler:
  type: PolynomialDecay
loss:
  types:
    - type: CrossEntropyLoss
  coef: [1]
  types:
    - type: DiceLoss
"""


def test_duplicate_keys_are_refused_by_default() -> None:
    with pytest.raises(ConfigFileError, match=r"line 7, column 3: duplicate key 'types' \(first at line 4\)"):
        parse_config_text(DUPLICATED, where="knet.yml")


def test_duplicate_keys_warn_keeps_the_last_and_names_key_place_lines_and_file() -> None:
    with pytest.warns(ConfigFileWarning) as caught:
        data = parse_config_text(DUPLICATED, where="knet.yml", yaml_floats="1.1", duplicate_keys="warn")
    assert data["loss"] == {"types": [{"type": "DiceLoss"}], "coef": [1]}  # PyYAML's reading: the last one
    (w,) = caught
    assert str(w.message) == (
        "knet.yml: duplicate key 'types' in loss at lines 4, 7: the last one (line 7) is kept, as PyYAML and json do"
    )
    import yaml

    assert data == yaml.safe_load(DUPLICATED)


def test_duplicate_keys_callback_and_json() -> None:
    found: list[DuplicateKey] = []
    text = '{"a": 1,\n "b": {"x": 1,\n "x": 2},\n "a": 3}'
    assert parse_config_text(text, where="args.json", fmt="json", duplicate_keys="warn", on_duplicate=found.append) == {
        "a": 3, "b": {"x": 2}}  # fmt: skip
    assert [(d.key, d.lines, d.path) for d in found] == [("x", (2, 3), "args.json"), ("a", (1, 4), "args.json")]
    nested = "m:\n  - {x: 1, x: 2}\n  - b:\n      c: 1\n      c: 2\n"
    found.clear()
    parse_config_text(nested, duplicate_keys="warn", on_duplicate=found.append)
    assert [(d.where, d.key, d.lines) for d in found] == [("m[0]", "x", (2, 2)), ("m[1].b", "c", (4, 5))]
    with pytest.raises(ValueError, match="duplicate_keys must be 'refuse' or 'warn', got 'keep'"):
        parse_config_text("a: 1", duplicate_keys="keep")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="on_duplicate must be a callable"):
        parse_config_text("a: 1", duplicate_keys="warn", on_duplicate=3)  # type: ignore[arg-type]


@pytest.fixture
def knet_full(tmp_path: Path) -> Path:
    """PaddleSeg's whole KNet config (its loss repeats `types`) beside its `_base_`, as in PaddleSeg's tree."""
    (tmp_path / "_base_").mkdir()
    (tmp_path / "knet").mkdir()
    shutil.copy(DATA / "ppseg" / "configs" / "_base_" / "ade20k.yml", tmp_path / "_base_" / "ade20k.yml")
    return Path(shutil.copy(KNET_FULL, tmp_path / "knet" / KNET_FULL.name))


def test_the_whole_knet_config_reads_as_paddleseg_reads_it(knet_full: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(ConfigFileError, match="duplicate key 'types'"):
        read_config_file(knet_full, yaml_floats="1.1")  # lrparity's own configs keep refusing
    with pytest.warns(ConfigFileWarning, match=r"duplicate key 'types' in loss at lines 58, 60, 62, 64, 66"):
        full = recipe_schedule("ppseg", str(knet_full))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        excerpt = recipe_schedule("ppseg", str(KNET))
    assert full == excerpt
    code, out, _ = cli(capsys, "recipe", "ppseg", str(knet_full), "--no-reference", "--json")
    assert code == 0
    assert any("duplicate key 'types' in loss" in w for w in json.loads(out)["warnings"])
    code, out, _ = cli(capsys, "show", f"ppseg:{knet_full}")
    assert code == 0 and "duplicate key 'types'" in out
