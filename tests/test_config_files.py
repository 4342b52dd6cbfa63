"""The one config reader (:mod:`lrparity.core.config_files`): plain data, nothing executed, every error names the file.

PaddleOCR reads its configs with ``yaml.load(..., Loader=yaml.Loader)``; ``yaml_floats="1.1"`` must give exactly the
same values for every real config (the in-repository corpus and the bundled examples), without ever running a tag.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

import lrparity
import lrparity.ppocr
from lrparity.cli import EXAMPLES_DIR
from lrparity.core.config_files import MAX_NODES, ConfigFileError, parse_config_text, read_config_file


def _same(a: Any, b: Any) -> bool:
    """Equal values of equal types all the way down (1 == 1.0 == True is not enough)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    return a == b


def _write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return path


# -- equivalence with PaddleOCR's loader ---------------------------------------------------------------------------
def test_corpus_reads_as_paddleocr_reads_it(ppocr_corpus_path: Path) -> None:
    expected = yaml.load(ppocr_corpus_path.read_text(encoding="utf-8"), Loader=yaml.Loader)
    got = read_config_file(ppocr_corpus_path, yaml_floats="1.1")
    assert len(got) == 89
    assert _same(got, expected)
    assert _same(lrparity.ppocr.read_config(ppocr_corpus_path), expected)
    assert got[4]["optimizer"]["regularizer"]["factor"] == "1e-6"  # YAML 1.1: a string, as PaddleOCR sees it


@pytest.mark.parametrize("path", sorted(EXAMPLES_DIR.iterdir()), ids=lambda p: p.name)
def test_bundled_examples_read_as_before(path: Path) -> None:
    expected = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.Loader)
    assert _same(read_config_file(path, yaml_floats="1.1"), expected)
    assert _same(read_config_file(path), expected)  # no exponent-without-dot floats in them


def test_paddle_floats_differ_only_on_exponents(tmp_path: Path) -> None:
    text = (
        "Global: {epoch_num: 5, stamp: 2024-01-02, yes_no: yes, octal: 0o17, sexagesimal: 1:30}\n"
        "Optimizer:\n  lr: {learning_rate: 1e-4, start_lr: 1.0e-5, min_lr: .5, big: 1E3}\n"
        "  regularizer: {factor: 1e-6}\n"
    )
    path = _write(tmp_path, "paddle.yml", text)
    as_paddleocr = yaml.load(text, Loader=yaml.Loader)
    assert _same(read_config_file(path, yaml_floats="1.1"), as_paddleocr)
    assert as_paddleocr["Optimizer"]["lr"]["learning_rate"] == "1e-4"
    lrp = read_config_file(path)
    assert lrp["Optimizer"]["lr"]["learning_rate"] == 1e-4 and lrp["Optimizer"]["lr"]["big"] == 1000.0
    assert lrp["Global"] == as_paddleocr["Global"]


# -- nothing is executed ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "payload",
    [
        "!!python/object/apply:os.system ['touch {marker}']",
        "!!python/object/new:os.system ['touch {marker}']",
        "!!python/name:os.system",
        "!!python/tuple [1, 2]",
        "!!python/object:argparse.Namespace {{a: 1}}",
    ],
)
@pytest.mark.parametrize("floats", ["1.2", "1.1"])
def test_python_tags_are_refused_and_not_run(tmp_path: Path, payload: str, floats: str) -> None:
    marker = tmp_path / "PWNED"
    path = _write(
        tmp_path, "evil.yml", f"Global: {{epoch_num: 1}}\nOptimizer:\n  lr: {payload.format(marker=marker)}\n"
    )
    with pytest.raises(ConfigFileError, match=r"evil\.yml: line 3, column 7: tag !!python/.* is refused") as info:
        read_config_file(path, yaml_floats=floats)  # type: ignore[arg-type]
    assert "nothing was executed" in str(info.value) and "\n" not in str(info.value)
    assert not marker.exists()


def test_unknown_and_registered_tags(tmp_path: Path) -> None:
    text = "LearningRate:\n  schedulers:\n  - !PiecewiseDecay {gamma: 0.1, milestones: [8, 11]}\n  - !LinearWarmup\n"
    path = _write(tmp_path, "det.yml", text)
    with pytest.raises(ConfigFileError, match=r"det\.yml: line 3, column 5: unknown tag !PiecewiseDecay"):
        read_config_file(path)
    data = read_config_file(path, tags=["PiecewiseDecay", "!LinearWarmup"], yaml_floats="1.1")
    assert data == {
        "LearningRate": {
            "schedulers": [{"name": "PiecewiseDecay", "gamma": 0.1, "milestones": [8, 11]}, {"name": "LinearWarmup"}]
        }
    }
    with pytest.raises(ConfigFileError, match="tags read here: !PiecewiseDecay"):
        parse_config_text("a: !Other {}\n", tags=["PiecewiseDecay"])
    with pytest.raises(ConfigFileError, match="takes a mapping"):
        parse_config_text("a: !PiecewiseDecay [1, 2]\n", tags=["PiecewiseDecay"])
    with pytest.raises(ConfigFileError, match="'kind' key"):
        parse_config_text("a: !PiecewiseDecay {kind: 1}\n", tags=["PiecewiseDecay"], tag_key="kind")


# -- every error names the file --------------------------------------------------------------------------------------
def test_duplicate_keys_are_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, "dup.yaml", "type: cosine\nT_max: 10\nschedule:\n  a: 1\n  a: 2\n")
    with pytest.raises(ConfigFileError, match=r"dup\.yaml: line 5, column 3: duplicate key 'a' \(first at line 4\)"):
        read_config_file(path)
    with pytest.raises(ConfigFileError, match="duplicate key 1"):  # the same key written two ways
        parse_config_text("1: a\n0x1: b\n")
    path = _write(tmp_path, "dup.json", '{"type": "cosine", "T_max": 10, "T_max": 20}')
    with pytest.raises(ConfigFileError, match=r"dup\.json: duplicate key 'T_max'"):
        read_config_file(path)
    # '<<' merges are not duplicates: explicit keys override merged ones by design
    assert parse_config_text("b: &b {x: 1, y: 2}\nt:\n  <<: *b\n  x: 3\n")["t"] == {"x": 3, "y": 2}


@pytest.mark.parametrize(
    ("name", "content", "needle"),
    [
        ("empty.yaml", "", "is empty"),
        ("comments.yaml", "# nothing\n\n", "is empty"),
        ("null.yaml", "~\n", "is empty"),
        ("empty.json", "  \n", "is empty"),
        ("null.json", "null", "holds null"),
        ("bad.yaml", "type: [cosine\n", "line 2, column 1: not valid YAML"),
        ("bad.json", '{"type": }', "line 1, column 10: not valid JSON"),
        ("two.yaml", "a: 1\n---\nb: 2\n", "expected a single document"),
        ("latin1.yaml", b"type: cosine\n# caf\xe9\n", "is not UTF-8 text: byte 0xe9 at line 2, column 6"),
        ("emoji.yaml", b"a: 1\n\xf0\x28\n", "is not UTF-8 text: byte 0xf0 at line 2, column 1"),
        ("utf16.yaml", "type: cosine\n".encode("utf-16"), "is UTF-16 text"),
        ("recursive.yaml", "a: &a [1, *a]\n", "a recursive alias"),
        ("deep.yaml", "[" * 5000 + "]" * 5000, "nested too deeply"),
        ("deep.json", "[" * 100_000 + "]" * 100_000, "nested too deeply"),
        ("bigint.yaml", "a: " + "9" * 5000 + "\n", "cannot read a value"),
        ("bigint.json", '{"a": ' + "9" * 5000 + "}", "not valid JSON"),
    ],
)
def test_unreadable_files_name_the_file(tmp_path: Path, name: str, content: str | bytes, needle: str) -> None:
    path = _write(tmp_path, name, content)
    with pytest.raises(ConfigFileError) as info:
        read_config_file(path)
    message = str(info.value)
    assert message.startswith(f"{path}: ") and needle in message and "\n" not in message
    assert isinstance(info.value, ValueError) and info.value.path == str(path)


def test_alias_bomb_is_refused() -> None:
    lines = ["a0: &a0 [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    with pytest.raises(ConfigFileError, match=f"expands to more than {MAX_NODES} values"):
        parse_config_text("\n".join(lines) + "\n", where="bomb.yaml")


def test_missing_directory_and_special_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigFileError, match=r"nope\.yaml: no such file"):
        read_config_file(tmp_path / "nope.yaml")
    with pytest.raises(ConfigFileError, match="is a directory"):
        read_config_file(tmp_path)
    if Path("/dev/zero").exists():
        with pytest.raises(ConfigFileError, match="not a regular file"):
            read_config_file("/dev/zero")


def test_bom_and_json_values(tmp_path: Path) -> None:
    assert read_config_file(_write(tmp_path, "bom.yaml", "\ufefftype: cosine\n")) == {"type": "cosine"}
    assert read_config_file(_write(tmp_path, "c.JSON", '{"eta_min": 1e-5}')) == {"eta_min": 1e-5}


# -- the API and the CLI use it ---------------------------------------------------------------------------------------
def test_load_config_and_show_agree_on_yaml_1_2_floats(tmp_path: Path) -> None:
    path = _write(tmp_path, "cos.yaml", "type: cosine\nT_max: 100\neta_min: 1e-5\n")
    assert lrparity.load_config(path) == lrparity.Cosine(T_max=100, eta_min=1e-5)
    r = subprocess.run(
        [sys.executable, "-m", "lrparity", "show", str(path)], capture_output=True, text=True, timeout=120
    )
    assert r.returncode == 0, r.stderr
    assert '"eta_min": 1e-05' in r.stdout


def test_load_config_errors_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"evil\.yaml: line 1, column 7: tag !!python"):
        lrparity.load_config(_write(tmp_path, "evil.yaml", "type: !!python/object/apply:os.getcwd []\n"))
    with pytest.raises(ValueError, match=r"dup\.yaml: line 3, column 1: duplicate key 'T_max'"):
        lrparity.load_config(_write(tmp_path, "dup.yaml", "type: cosine\nT_max: 10\nT_max: 20\n"))
    with pytest.raises(ValueError, match=r"bad\.json: is not UTF-8"):
        lrparity.load_config(_write(tmp_path, "bad.json", b'{"type": "cosine", "T_max": 10, "x": "\xff"}'))
    with pytest.raises(TypeError, match=r"list\.yaml must be a mapping"):
        lrparity.load_config(_write(tmp_path, "list.yaml", "- 1\n"))
    assert lrparity.load_config(_write(tmp_path, "ok.json", json.dumps({"type": "cosine", "T_max": 3}))).T_max == 3


def test_no_other_yaml_reader_in_the_package() -> None:
    """Every reader of user files goes through config_files: no other module calls a PyYAML or json loader."""
    import ast

    package = Path(lrparity.__file__).parent
    loaders = {"load", "safe_load", "full_load", "unsafe_load", "load_all", "safe_load_all", "compose", "Loader"}
    offenders = []
    for path in package.rglob("*.py"):
        if path.name == "config_files.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
                if (node.value.id == "yaml" and node.attr in loaders) or (node.value.id, node.attr) == ("json", "load"):
                    offenders.append(f"{path.relative_to(package)}:{node.lineno}: {node.value.id}.{node.attr}")
            if isinstance(node, ast.ImportFrom) and node.module == "yaml":
                offenders.append(f"{path.relative_to(package)}:{node.lineno}: from yaml import ...")
    assert not offenders, offenders
