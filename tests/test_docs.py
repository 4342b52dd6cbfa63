"""The documentation builds with ``mkdocs build --strict`` (plots drawn from the core, API pages from docstrings), and
every registered schedule has its docs page (with its plot) and a parity catalogue entry."""

from __future__ import annotations

import copy
import dataclasses
import importlib.util
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]


def test_mkdocs_build_strict(tmp_path: Path) -> None:
    pytest.importorskip("mkdocs")
    pytest.importorskip("material")
    pytest.importorskip("mkdocstrings")
    pytest.importorskip("matplotlib")
    mkdocs = shutil.which("mkdocs", path=str(Path(sys.executable).parent)) or shutil.which("mkdocs")
    cmd = [mkdocs] if mkdocs else [sys.executable, "-m", "mkdocs"]
    site = tmp_path / "site"
    r = subprocess.run(
        [*cmd, "build", "--strict", "-q", "-d", str(site)],
        cwd=ROOT, capture_output=True, text=True, timeout=300, env={"NO_MKDOCS_2_WARNING": "1", **_env()},
    )  # fmt: skip
    assert r.returncode == 0, r.stdout + r.stderr
    page = (site / "schedules" / "cosine" / "index.html").read_text(encoding="utf-8")
    assert "generated/cosine.png" in page and "arithmatex" in page
    assert (site / "generated" / "cosine.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (site / "equivalence" / "index.html").exists()


def _env() -> dict[str, str]:
    import os

    return dict(os.environ)


# -- adding a schedule is: its class, its native table rows, its docs page (docs/adding-a-schedule.md) -------------
def _hooks() -> Any:
    """docs/hooks.py, loaded as mkdocs loads it."""
    name = "lrparity_docs_hooks"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, ROOT / "docs" / "hooks.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def _lrparity_schedules() -> list[type]:
    """Every registered schedule class lrparity defines (classes tests define are left out)."""
    from lrparity.core import REGISTRY

    return [cls for cls in REGISTRY.values() if cls.__module__.startswith("lrparity.")]


def _reference(cls: type) -> str:
    return f"::: {cls.__module__}.{cls.__qualname__}"


def _references() -> dict[str, str]:
    """``{"::: lrparity.core.<module>.<Class>": page name}`` of the schedule pages."""
    found = {}
    for page in _hooks().schedule_pages():
        for line in page.read_text(encoding="utf-8").splitlines():
            if line.startswith(":::"):
                found[line.split()[0] + " " + line.split()[1]] = page.name
    return found


def _undocumented(classes: list[type]) -> list[str]:
    references = _references()
    return [f"{cls.__module__}.{cls.__qualname__}" for cls in classes if _reference(cls) not in references]


def _classes_in(schedule: Any, found: set[str]) -> set[str]:
    """Names of the schedule classes in ``schedule``'s tree (the schedule and every schedule inside it)."""
    from lrparity.core import Configurable

    found.add(type(schedule).__name__)
    for field in dataclasses.fields(schedule):
        value = getattr(schedule, field.name)
        for item in value if isinstance(value, (tuple, list)) else (value,):
            if isinstance(item, Configurable):
                _classes_in(item, found)
    return found


def _uncatalogued(classes: list[type]) -> list[str]:
    from lrparity.parity.catalogue import CATALOGUE, NOT_IN_CATALOGUE

    covered: set[str] = set()
    for entry in CATALOGUE:
        _classes_in(entry.schedule, covered)
    return [cls.__name__ for cls in classes if cls.__name__ not in covered and cls.__name__ not in NOT_IN_CATALOGUE]


def test_every_schedule_has_a_docs_page() -> None:
    missing = _undocumented(_lrparity_schedules())
    assert not missing, (
        f"no docs page for {missing}: write docs/schedules/<name>.md with its '::: lrparity.core.<module>.<Class>' "
        "reference (docs/adding-a-schedule.md)"
    )
    known = {_reference(cls) for cls in _lrparity_schedules()}
    stale = {ref: page for ref, page in _references().items() if ref not in known}
    assert not stale, f"schedule pages referencing no registered schedule: {stale}"


def test_every_schedule_is_in_the_catalogue() -> None:
    from lrparity.parity.catalogue import CATALOGUE, NOT_IN_CATALOGUE

    missing = _uncatalogued(_lrparity_schedules())
    assert not missing, (
        f"no parity catalogue entry holds {missing}: add one to lrparity/parity/catalogue.py, or, if none can, say why "
        "in its NOT_IN_CATALOGUE"
    )
    names = {cls.__name__ for cls in _lrparity_schedules()}
    covered: set[str] = set()
    for entry in CATALOGUE:
        _classes_in(entry.schedule, covered)
    for name, why in NOT_IN_CATALOGUE.items():
        assert name in names, f"NOT_IN_CATALOGUE names {name!r}, which is no registered schedule"
        assert name not in covered, f"NOT_IN_CATALOGUE lists {name!r}, but a catalogue entry holds it"
        assert len(why.split()) >= 5, f"NOT_IN_CATALOGUE[{name!r}] must say why: {why!r}"


def test_the_checks_catch_a_schedule_without_page_or_entry() -> None:
    """The two checks above cannot pass by accident: a class with neither a page nor an entry is reported."""
    undocumented = type("Sqrt", (), {"__module__": "lrparity.core.sqrt"})
    assert _undocumented([undocumented]) == ["lrparity.core.sqrt.Sqrt"]
    assert _uncatalogued([undocumented]) == ["Sqrt"]
    documented = [cls for cls in _lrparity_schedules() if cls.__name__ == "Cosine"]
    assert _undocumented(documented) == [] and _uncatalogued(documented) == []


def test_every_schedule_page_draws_its_curves() -> None:
    hooks = _hooks()
    for page in hooks.schedule_pages():
        figures = hooks.page_figures(page)
        assert figures, f"{page.name}: no ```{hooks.FENCE} block (the page's plot; docs/adding-a-schedule.md)"
        for figure in figures:
            for label, lrs in hooks.curve_values(figure):
                assert lrs.shape == (figure.steps,) and np.isfinite(lrs).all(), (page.name, label)
    ((_, plateau),) = hooks.curve_values(hooks.page_figures(ROOT / "docs" / "schedules" / "plateau.md")[0])
    assert plateau[0] == 0.1 and plateau[-1] < plateau[0]  # the metric stalls: the plateau lowers the lr


def test_curves_blocks_refuse_statements_and_name_the_line(tmp_path: Path) -> None:
    hooks = _hooks()
    page = tmp_path / "x.md"
    page.write_text("# X\n\ntext\n\n```lrparity-curves\nCosine(10)\nimport os\n```\n", encoding="utf-8")
    with pytest.raises(hooks.DocsHookError, match=r"x\.md:7: a lrparity-curves block holds expressions"):
        hooks.page_figures(page)
    page.write_text("```lrparity-curves\nopen('f')  # no builtins\n```\n", encoding="utf-8")
    (figure,) = hooks.page_figures(page)
    assert figure.curves[0].label == "no builtins"
    with pytest.raises(hooks.DocsHookError, match=r"x\.md:2: open\('f'\): NameError"):
        hooks.curve_values(figure)


def test_schedules_nav_holds_every_page_in_the_overview_order() -> None:
    hooks = _hooks()
    config = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    nav = copy.deepcopy(config["nav"])
    hooks.fill_schedules_section(nav)
    (section,) = [item["Schedules"] for item in nav if isinstance(item, dict) and "Schedules" in item]
    assert section[0] == {"Overview": "schedules/index.md"}
    paths = [next(iter(entry.values())) for entry in section[1:]]
    pages = sorted(f"schedules/{p.name}" for p in hooks.schedule_pages())
    assert sorted(paths) == pages and len(set(paths)) == len(paths)
    overview = (ROOT / "docs" / "schedules" / "index.md").read_text(encoding="utf-8")
    linked = [f"schedules/{name}" for name in dict.fromkeys(re.findall(r"\]\(([a-z_0-9]+\.md)\)", overview))]
    linked = [p for p in linked if p in pages]
    assert paths[: len(linked)] == linked and paths[len(linked) :] == sorted(paths[len(linked) :])
    assert section[1 + paths.index("schedules/cosine.md")] == {"Cosine": "schedules/cosine.md"}
    others = [item for item in nav if not (isinstance(item, dict) and "Schedules" in item)]
    assert others == [item for item in config["nav"] if not (isinstance(item, dict) and "Schedules" in item)]
