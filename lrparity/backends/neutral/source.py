"""A native call tree as Python source: what :func:`lrparity.to_native_code` prints (stdlib only).

The source defines one function, ``build_scheduler``, that builds the natives exactly as
:meth:`~lrparity.backends.neutral.natives.NativeCall.build` does: each member of a container in a variable of
its own (in construction order), the container last. It imports what it uses (the framework's classes, the
functions a ``LambdaLR``/``LambdaDecay`` calls, by their module path), runs as printed, and is laid out as
``ruff format`` lays it out at line length 120 (so a formatter leaves it unchanged).
"""

from __future__ import annotations

import dataclasses
import math
import re
import sys
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from lrparity.backends.neutral.natives import OPTIMIZER, NativeCall
from lrparity.core.base import callable_path

__all__ = ["LINE_LENGTH", "brief", "python_source"]

LINE_LENGTH = 120
"""The line length the source is laid out for (the project's ``ruff`` setting)."""

_INDENT = "    "


@dataclass(frozen=True)
class _Atom:
    """A piece of source text that is never split."""

    text: str


@dataclass(frozen=True)
class _Bracketed:
    """``opener item, item, ... closer``, split over lines as ruff splits it when it does not fit."""

    opener: str
    items: tuple[Any, ...]  # _Atom | _Bracketed | _Keyword
    closer: str


@dataclass(frozen=True)
class _Keyword:
    name: str
    value: Any  # _Atom | _Bracketed


@dataclass
class _Names:
    """Variable and import names given out while the source is written."""

    framework_module: str
    classes: set[str] = field(default_factory=set)
    functions: dict[str, tuple[str, str]] = field(default_factory=dict)  # local name -> (module, qualname head)
    variables: set[str] = field(default_factory=lambda: {"optimizer"})
    uses_math: bool = False

    def function(self, fn: Callable[..., Any]) -> str:
        try:
            path = callable_path(fn)
        except ValueError as exc:
            raise ValueError(
                f"to_native_code: the function {fn!r} cannot be written as an import ({exc}); the natives built by "
                "lrparity.to_native can hold it, printed code cannot"
            ) from None
        module, qualname = path.split(":")
        head, _, rest = qualname.partition(".")
        local = head
        count = 2
        while (local in self.functions and self.functions[local] != (module, head)) or local in self.variables:
            local, count = f"{head}_{count}", count + 1
        self.functions[local] = (module, head)
        return f"{local}.{rest}" if rest else local

    def variable(self, class_name: str) -> str:
        base = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", class_name).lower()
        name, count = base, 2
        while name in self.variables or name in self.functions:
            name, count = f"{base}_{count}", count + 1
        self.variables.add(name)
        return name


def _literal(value: Any, names: _Names) -> _Atom | _Bracketed:
    if value is OPTIMIZER:
        return _Atom("optimizer")
    if value is None or isinstance(value, bool):
        return _Atom(repr(value))
    if isinstance(value, int):
        return _Atom(repr(value))
    if isinstance(value, float):
        if math.isinf(value):
            names.uses_math = True
            return _Atom("math.inf" if value > 0 else "-math.inf")
        if math.isnan(value):
            names.uses_math = True
            return _Atom("math.nan")
        return _Atom(repr(value))
    if isinstance(value, str):
        if not value.isprintable() or "\\" in value:
            raise ValueError(f"to_native_code: cannot print the string {value!r}")
        return _Atom('"' + value.replace('"', '\\"') + '"')
    if isinstance(value, (list, tuple)):
        return _Bracketed("[", tuple(_literal(v, names) for v in value), "]")
    if callable(value):
        return _Atom(names.function(value))
    raise ValueError(f"to_native_code: cannot print the argument {value!r} ({type(value).__name__})")


def _flat(node: Any) -> str:
    if isinstance(node, _Atom):
        return node.text
    if isinstance(node, _Keyword):
        return f"{node.name}={_flat(node.value)}"
    return node.opener + ", ".join(_flat(i) for i in node.items) + node.closer


def _lines(node: Any, indent: str, prefix: str, suffix: str) -> list[str]:
    """``node`` after ``prefix`` and before ``suffix`` at ``indent``, split as ruff splits it."""
    flat = indent + prefix + _flat(node) + suffix
    if len(flat) <= LINE_LENGTH:
        return [flat]
    if isinstance(node, _Keyword):
        return _lines(node.value, indent, f"{prefix}{node.name}=", suffix)
    if not isinstance(node, _Bracketed) or not node.items:
        return [flat]  # an atom that does not fit: nothing to split
    inner = indent + _INDENT
    head = indent + prefix + node.opener
    tail = indent + node.closer + suffix
    body = inner + ", ".join(_flat(i) for i in node.items)
    if len(body) <= LINE_LENGTH:
        return [head, body, tail]
    lines = [head]
    for item in node.items:
        lines += _lines(item, inner, "", ",")
    return [*lines, tail]


def _emit(call: NativeCall, names: _Names, statements: list[tuple[str, Any]]) -> _Atom:
    """Write the statements building ``call``'s members, then return the expression that calls its class."""

    def argument(value: Any) -> Any:
        if isinstance(value, NativeCall):
            return _member(value)
        if isinstance(value, list) and any(isinstance(v, NativeCall) for v in value):
            return _Bracketed("[", tuple(argument(v) for v in value), "]")
        return _literal(value, names)

    def _member(member: NativeCall) -> _Atom:
        expression = _emit(member, names, statements)
        variable = names.variable(member.name)
        statements.append((f"{variable} = ", expression))
        return _Atom(variable)

    names.classes.add(call.name)
    items = [argument(a) for a in call.args] + [_Keyword(k, argument(v)) for k, v in call.kwargs]
    return _Bracketed(f"{call.name}(", tuple(items), ")")  # type: ignore[return-value]


def _sorted_names(items: set[str]) -> list[str]:
    """isort's order (ruff's default): CONSTANTS, then Classes, then functions; case-insensitively within each."""
    return sorted(items, key=lambda n: (0 if n.isupper() and len(n) > 1 else 1 if n[:1].isupper() else 2, n.lower()))


def brief(obj: Any, limit: int = 400) -> str:
    """A schedule as its class and the arguments that differ from their defaults (nested ones too), at most
    ``limit`` characters: ``Warmup(schedule=Cosine(T_max=9000), warmup_steps=1000, start_lr=0.001)``."""
    text = _brief(obj)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _brief(obj: Any) -> str:
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        shown = []
        for f in dataclasses.fields(obj):
            value = getattr(obj, f.name)
            if f.default is dataclasses.MISSING or value != f.default:
                shown.append(f"{f.name}={_brief(value)}")
        return f"{type(obj).__name__}({', '.join(shown)})"
    if isinstance(obj, tuple):
        return "[" + ", ".join(_brief(v) for v in obj) + "]"
    if callable(obj):
        return getattr(obj, "__qualname__", repr(obj))
    return repr(obj)


def _import(module: str, items: list[str]) -> list[str]:
    line = f"from {module} import {', '.join(items)}"
    if len(line) <= LINE_LENGTH:
        return [line]
    return [f"from {module} import (", *[f"{_INDENT}{i}," for i in items], ")"]


def python_source(call: NativeCall, *, framework_module: str, summary: str, takes_optimizer: bool) -> str:
    """The Python source of a module defining ``build_scheduler``, which builds ``call``'s natives.

    Args:
        call: the native call tree.
        framework_module: the module of the framework's schedulers (``"torch.optim.lr_scheduler"``).
        summary: the function's docstring (what it computes; wrapped to the line length).
        takes_optimizer: ``build_scheduler(optimizer)`` (torch: the natives are built on the optimizer) rather than
            ``build_scheduler()`` (paddle: the optimizer takes the scheduler).

    Raises:
        ValueError: an argument that cannot be printed (a lambda, a function defined in ``__main__``), naming it.
    """
    names = _Names(framework_module)
    statements: list[tuple[str, Any]] = []
    top = _emit(call, names, statements)
    body: list[str] = []
    for prefix, expression in statements:
        body += _lines(expression, _INDENT, prefix, "")
    body += _lines(top, _INDENT, "return ", "")
    modules: dict[str, set[str]] = {}
    for local, (module, head) in names.functions.items():
        modules.setdefault(module, set()).add(head if local == head else f"{head} as {local}")
    stdlib = sorted(m for m in modules if m.split(".")[0] in sys.stdlib_module_names)
    header = ["import math"] if names.uses_math else []
    for module in stdlib:
        header += _import(module, _sorted_names(modules.pop(module)))
    header += [""] if header else []
    names.classes.add("LRScheduler")
    framework = _import(framework_module, _sorted_names(names.classes))
    if takes_optimizer:
        root = framework_module.rsplit(".", 1)[0]
        framework = _import(root, ["Optimizer"]) + framework
        signature = "def build_scheduler(optimizer: Optimizer) -> LRScheduler:"
    else:
        signature = "def build_scheduler() -> LRScheduler:"
    header += framework
    if modules:  # the functions' own modules (first-party, as far as the framework is concerned)
        header.append("")
        for module in sorted(modules):
            header += _import(module, _sorted_names(modules[module]))
    doc = textwrap.wrap(summary, LINE_LENGTH - len(_INDENT) - 6, break_on_hyphens=False) or [""]
    if len(doc) == 1:
        docstring = [f'{_INDENT}"""{doc[0]}"""']
    else:
        docstring = [f'{_INDENT}"""{doc[0]}', *(f"{_INDENT}{line}" for line in doc[1:]), f'{_INDENT}"""']
    return "\n".join([*header, "", "", signature, *docstring, *body]) + "\n"
