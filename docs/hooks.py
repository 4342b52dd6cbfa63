"""MkDocs hook: the schedule pages' plots and the "Schedules" navigation, both read from the pages themselves.

Adding a schedule page (``docs/schedules/<name>.md``) needs no edit here nor in ``mkdocs.yml``:

- **Plots.** A page declares its example curves in a fenced block::

      ```lrparity-curves
      Cosine(600)                      # one curve per expression; a trailing comment is its label
      Cosine(600, after_end="hold")
      base_lr = 0.1                    # optional: the base lr of relative schedules (default 0.1)
      steps = 1000                     # optional: the steps drawn, 0..steps-1 (default 1000)
      ```

  Each expression is evaluated with lrparity's public names and :class:`MetricDriven` only (no builtins; these
  are our own pages), must give a schedule (or anything with ``values(steps, base_lr)``), and is drawn when the
  docs are built into ``docs/generated/<name>.png`` (ignored by git); the block becomes that image and a caption.
- **Navigation.** Every ``docs/schedules/*.md`` goes in the "Schedules" section of ``mkdocs.yml``'s ``nav`` (which
  keeps its hand-written entries, the overview first), in the order the overview ``schedules/index.md`` links
  them, then the others alphabetically, titled by the page's first heading. The rest of the ``nav`` is untouched.
"""

from __future__ import annotations

import ast
import io
import os
import re
import tokenize
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

DOCS = Path(__file__).resolve().parent
GENERATED = "generated"
SCHEDULES_DIR = "schedules"
FIGURE_DIRS = (SCHEDULES_DIR, "recipes")
"""The folders whose pages may hold ``lrparity-curves`` blocks (schedule pages and recipe guides)."""
SECTION = "Schedules"
OVERVIEW = "index.md"
FENCE = "lrparity-curves"
DEFAULTS = {"base_lr": 0.1, "steps": 1000}

_BLOCK = re.compile(rf"^```{FENCE}[ \t]*\n(?P<body>.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)
_HEADING = re.compile(r"^# +(?P<title>.+?) *#*$", re.MULTILINE)
_LINK = re.compile(r"\]\((?P<target>[^)#\s]+\.md)(?:#[^)]*)?\)")


class DocsHookError(Exception):
    """A page's curves block or the nav cannot be built (mkdocs reports it and stops)."""


# -- curves ------------------------------------------------------------------------------------------------------
class MetricDriven:
    """A metric-driven schedule (:class:`lrparity.Plateau`) along a metric sequence, as a curve a page can draw.

    ``metric(k)`` is the metric reported after step ``k`` (``plateau.update``); ``values(steps, base_lr)`` gives
    the lr of group 0 at each step, starting from ``base_lr``.
    """

    def __init__(self, plateau: Any, metric: Callable[[int], float]) -> None:
        self.plateau = plateau
        self.metric = metric

    def values(self, steps: Iterable[int], base_lr: float | None = None) -> np.ndarray:
        state = self.plateau.initial_state([0.1 if base_lr is None else base_lr])
        lrs = []
        for k in steps:
            lrs.append(state.lrs[0])
            state = self.plateau.update(state, self.metric(k))
        return np.array(lrs)


@dataclass(frozen=True)
class Curve:
    label: str
    expression: str
    line: int


@dataclass(frozen=True)
class Figure:
    """One ``lrparity-curves`` block of a page."""

    page: Path
    index: int
    curves: tuple[Curve, ...]
    base_lr: float
    steps: int

    @property
    def image_name(self) -> str:
        """``<page>.png`` for a page's first block, ``<page>-2.png`` for its second..."""
        suffix = "" if self.index == 0 else f"-{self.index + 1}"
        folder = "" if self.page.parent.name == SCHEDULES_DIR else f"{self.page.parent.name}-"
        return f"{folder}{self.page.stem}{suffix}.png"


def _comments(body: str) -> dict[int, str]:
    """``{line: comment text}`` of the block's Python comments (a curve's label)."""
    comments = {}
    for token in tokenize.generate_tokens(io.StringIO(body).readline):
        if token.type == tokenize.COMMENT:
            comments[token.start[0]] = token.string.lstrip("#").strip()
    return comments


def parse_block(page: Path, index: int, body: str, first_line: int) -> Figure:
    """The curves and options of one block (``first_line``: the page line of the block's first line)."""
    where = f"{page}:{first_line}"
    try:
        tree = ast.parse(body)
        comments = _comments(body)
    except (SyntaxError, tokenize.TokenError) as exc:
        raise DocsHookError(f"{where}: the {FENCE} block is not Python expressions: {exc}") from None
    options = dict(DEFAULTS)
    curves = []
    for stmt in tree.body:
        line = first_line + stmt.lineno - 1
        if isinstance(stmt, ast.Expr):
            source = " ".join((ast.get_source_segment(body, stmt.value) or "").split())
            curves.append(Curve(comments.get(stmt.end_lineno or stmt.lineno, source), source, line))
        elif (
            isinstance(stmt, ast.Assign)
            and len(stmt.targets) == 1
            and isinstance(stmt.targets[0], ast.Name)
            and stmt.targets[0].id in DEFAULTS
        ):
            try:
                options[stmt.targets[0].id] = ast.literal_eval(stmt.value)
            except ValueError:
                raise DocsHookError(f"{page}:{line}: {stmt.targets[0].id} must be a number") from None
        else:
            raise DocsHookError(
                f"{page}:{line}: a {FENCE} block holds expressions (one curve each) and the options "
                f"{', '.join(f'{k} = ...' for k in DEFAULTS)}; got {ast.get_source_segment(body, stmt)!r}"
            )
    if not curves:
        raise DocsHookError(f"{where}: the {FENCE} block draws no curve")
    base_lr, steps = options["base_lr"], options["steps"]
    if not isinstance(steps, int) or isinstance(steps, bool) or not 1 <= steps <= 100_000:
        raise DocsHookError(f"{where}: steps = {steps!r} must be an int in [1, 100000]")
    if not isinstance(base_lr, (int, float)) or isinstance(base_lr, bool) or not base_lr >= 0:
        raise DocsHookError(f"{where}: base_lr = {base_lr!r} must be a number >= 0")
    return Figure(page, index, tuple(curves), float(base_lr), steps)


def page_figures(page: Path) -> list[Figure]:
    """Every ``lrparity-curves`` block of a page, in page order."""
    text = page.read_text(encoding="utf-8")
    return [
        parse_block(page, i, m["body"], text.count("\n", 0, m.start("body")) + 1)
        for i, m in enumerate(_BLOCK.finditer(text))
    ]


def _namespace() -> dict[str, Any]:
    import lrparity

    names = {name: getattr(lrparity, name) for name in lrparity.__all__ if not name.startswith("_")}
    return {**names, "MetricDriven": MetricDriven}


def curve_values(figure: Figure) -> list[tuple[str, np.ndarray]]:
    """``(label, lr at steps 0..steps-1)`` of each curve of the figure, evaluated with lrparity's names only."""
    namespace = _namespace()
    out = []
    for curve in figure.curves:
        try:
            value = eval(curve.expression, {"__builtins__": {}, **namespace})  # our own pages, lrparity names only
            lrs = np.asarray(value.values(range(figure.steps), figure.base_lr), dtype=np.float64)
        except Exception as exc:
            raise DocsHookError(f"{figure.page}:{curve.line}: {curve.expression}: {type(exc).__name__}: {exc}") from exc
        out.append((curve.label, lrs))
    return out


def schedule_pages(docs_dir: Path = DOCS) -> list[Path]:
    """``docs/schedules/*.md`` but the overview, sorted by name."""
    return sorted(p for p in (docs_dir / SCHEDULES_DIR).glob("*.md") if p.name != OVERVIEW)


def figure_pages(docs_dir: Path = DOCS) -> list[Path]:
    """Every page that may hold ``lrparity-curves`` blocks: the schedule pages, then the recipe guides."""
    recipes = sorted((docs_dir / FIGURE_DIRS[1]).glob("*.md"))
    return [*schedule_pages(docs_dir), *recipes]


def generate(docs_dir: Path = DOCS) -> list[Path]:
    """Draw every figure of the schedule and recipe pages into ``<docs_dir>/generated``; returns the images."""
    try:
        import matplotlib
    except ModuleNotFoundError:
        raise SystemExit("building the docs needs matplotlib: pip install 'lrparity[docs]'") from None
    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    out = docs_dir / GENERATED
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for page in figure_pages(docs_dir):
        for figure in page_figures(page):
            fig = plt.figure(figsize=(8, 3.2), dpi=90)
            ax = fig.add_subplot(1, 1, 1)
            for label, lrs in curve_values(figure):
                ax.plot(np.arange(len(lrs)), lrs, label=label, linewidth=1.2)
            ax.set_xlabel("step t (scheduler.step() calls)")
            ax.set_ylabel(f"lr (base lr {figure.base_lr!r})")
            ax.grid(True, alpha=0.3)
            ax.legend(fontsize=8)
            fig.tight_layout()
            path = out / figure.image_name
            fig.savefig(path, format="png", metadata={"Software": None})
            plt.close(fig)
            written.append(path)
    return written


def _figure_markdown(page: Path, figure: Figure, title: str, docs_dir: Path) -> str:
    image = os.path.relpath(docs_dir / GENERATED / figure.image_name, page.parent).replace(os.sep, "/")
    return (
        f"![{title}]({image})\n\n*Drawn from `lrparity.core` when the docs are built (base lr {figure.base_lr!r} for "
        "relative schedules).*"
    )


# -- navigation --------------------------------------------------------------------------------------------------
def page_title(page: Path) -> str:
    """A page's first ``# heading`` (its file name when it has none)."""
    match = _HEADING.search(page.read_text(encoding="utf-8"))
    return match["title"] if match else page.stem


def schedules_nav(docs_dir: Path = DOCS) -> list[dict[str, str]]:
    """``[{title: "schedules/<name>.md"}]`` for every schedule page: first those the overview links (in its order),
    then the others alphabetically."""
    pages = {p.name: p for p in schedule_pages(docs_dir)}
    overview = (docs_dir / SCHEDULES_DIR / OVERVIEW).read_text(encoding="utf-8")
    linked = [m["target"] for m in _LINK.finditer(overview)]
    ordered = list(dict.fromkeys(name for name in linked if name in pages))
    ordered += sorted(set(pages) - set(ordered))
    return [{page_title(pages[name]): f"{SCHEDULES_DIR}/{name}"} for name in ordered]


def _entry_path(entry: Any) -> Any:
    return next(iter(entry.values())) if isinstance(entry, dict) and len(entry) == 1 else entry


def fill_schedules_section(nav: list[Any], docs_dir: Path = DOCS) -> list[Any]:
    """``nav`` with its "Schedules" section holding its hand-written entries that are not schedule pages (the
    overview), then every schedule page (:func:`schedules_nav`). Raises DocsHookError when there is no section."""
    for item in nav:
        if isinstance(item, dict) and isinstance(item.get(SECTION), list):
            pages = {f"{SCHEDULES_DIR}/{p.name}" for p in schedule_pages(docs_dir)}
            kept = [e for e in item[SECTION] if _entry_path(e) not in pages]
            item[SECTION] = kept + schedules_nav(docs_dir)
            return nav
    raise DocsHookError(f"mkdocs.yml: the nav has no {SECTION!r} section (a list) for the schedule pages")


# -- recipes overview: the classes each kind reads and the conversion matrix (docs/recipes/index.md) -----------
RECIPES_OVERVIEW = ("recipes", "index.md")
CLASSES_PLACEHOLDER = "<!-- lrparity:recipe-classes -->"
MATRIX_PLACEHOLDER = "<!-- lrparity:conversion-matrix -->"
MATRIX_CACHE = "recipes-conversion-matrix.md"


def recipe_classes_markdown() -> str:
    """The table of what each recipe kind reads, from each kind's own list (:func:`lrparity.recipes.runs.supported`)."""
    from lrparity.recipes import KINDS
    from lrparity.recipes.runs import SUITES, supported

    rows = ["| kind | ecosystem | what it reads (every one supported) |", "|---|---|---|"]
    for kind in KINDS:
        names = "; ".join(f"{what}: {', '.join(f'`{n}`' for n in found)}" for what, found in supported(kind).items())
        rows.append(f"| [`{kind}`]({kind}.md) | {SUITES[kind]} | {names} |")
    return "\n".join(rows) + "\n"


def conversion_matrix_markdown(docs_dir: Path = DOCS) -> str:
    """:func:`lrparity.recipes.matrix.conversion_matrix` of the stored real recipes, as Markdown (without running the
    ecosystems' libraries: ``parity_tests/test_recipes_roundtrip.py`` checks the same matrix against them). Cached in
    ``docs/generated/`` under a digest of its inputs (lrparity's code and the recipe files)."""
    import hashlib

    repo = docs_dir.parent
    data = repo / "parity_tests" / "recipes_data"
    inputs = sorted([*repo.glob("lrparity/**/*.py"), *(p for p in data.rglob("*") if p.is_file()),
                     repo / "tests" / "data" / "ppocr_configs.yaml"])  # fmt: skip
    digest = hashlib.sha256()
    for path in inputs:
        if path.is_file():
            digest.update(str(path.relative_to(repo)).encode() + b"\0" + path.read_bytes())
    stamp = f"<!-- inputs {digest.hexdigest()} -->\n"
    cache = docs_dir / GENERATED / MATRIX_CACHE
    if cache.is_file() and cache.read_text(encoding="utf-8").startswith(stamp):
        return cache.read_text(encoding="utf-8")[len(stamp) :]
    from lrparity.recipes.matrix import conversion_matrix

    text = conversion_matrix(data).markdown()
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_text(stamp + text, encoding="utf-8")
    return text


def fill_recipes_overview(markdown: str, docs_dir: Path = DOCS) -> str:
    """``docs/recipes/index.md`` with its placeholders replaced by the classes table and the conversion matrix."""
    if CLASSES_PLACEHOLDER in markdown:
        markdown = markdown.replace(CLASSES_PLACEHOLDER, recipe_classes_markdown())
    if MATRIX_PLACEHOLDER in markdown:
        markdown = markdown.replace(MATRIX_PLACEHOLDER, conversion_matrix_markdown(docs_dir))
    return markdown


# -- mkdocs events ---------------------------------------------------------------------------------------------
def _plugin_error(exc: DocsHookError) -> Exception:
    from mkdocs.exceptions import PluginError

    return PluginError(str(exc))


def on_config(config: Any, **kwargs: Any) -> Any:
    if config["nav"] is not None:
        try:
            fill_schedules_section(config["nav"], Path(config["docs_dir"]))
        except DocsHookError as exc:
            raise _plugin_error(exc) from exc
    return config


def on_pre_build(config: Any, **kwargs: Any) -> None:
    try:
        generate(Path(config["docs_dir"]))
    except DocsHookError as exc:
        raise _plugin_error(exc) from exc


def on_page_markdown(markdown: str, page: Any, config: Any, **kwargs: Any) -> str:
    path = Path(page.file.abs_src_path)
    if (path.parent.name, path.name) == RECIPES_OVERVIEW and path.parent.parent == Path(config["docs_dir"]):
        return fill_recipes_overview(markdown, Path(config["docs_dir"]))
    in_figure_dir = path.parent.name in FIGURE_DIRS and path.parent.parent == Path(config["docs_dir"])
    if not in_figure_dir or (path.parent.name == SCHEDULES_DIR and path.name == OVERVIEW) or FENCE not in markdown:
        return markdown
    try:
        figures = page_figures(path)
    except DocsHookError as exc:
        raise _plugin_error(exc) from exc
    title = page_title(path)
    blocks = iter(figures)
    docs_dir = Path(config["docs_dir"])
    return _BLOCK.sub(lambda _: _figure_markdown(path, next(blocks), title, docs_dir), markdown)


if __name__ == "__main__":  # pragma: no cover
    print("\n".join(str(p) for p in generate()))
