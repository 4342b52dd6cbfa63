"""Griffe extension for the docs: turn the core's reST math (``.. math::`` and ``:math:`x```) into the
``$$...$$`` / ``$...$`` that pymdownx.arithmatex renders, and ``:class:`X``` style roles into code."""

from __future__ import annotations

import re
from typing import Any

import griffe

_BLOCK = re.compile(r"^(?P<indent>[ \t]*)\.\. math::[ \t]*(?P<first>.*)$")
_INLINE = re.compile(r":math:`([^`]+)`")
_EXAMPLE = re.compile(r"^([ \t]*)Example:[ \t]*$", re.M)
_ROLE = re.compile(r":(?:class|func|meth|mod|attr|data|obj|exc):`~?([^`]+)`")


def convert(text: str) -> str:
    lines = text.splitlines()
    out: list[str] = []
    i = 0
    while i < len(lines):
        m = _BLOCK.match(lines[i])
        if not m:
            out.append(lines[i])
            i += 1
            continue
        indent = m.group("indent")
        body = [m.group("first").strip()] if m.group("first").strip() else []
        i += 1
        while i < len(lines) and (not lines[i].strip() or len(lines[i]) - len(lines[i].lstrip()) > len(indent)):
            if lines[i].strip():
                body.append(lines[i].strip())
            elif body:
                break
            i += 1
        out.append(f"{indent}$$")
        out.extend(f"{indent}{b}" for b in body)
        out.append(f"{indent}$$")
    text = "\n".join(out)
    text = _EXAMPLE.sub(r"\1Examples:", text)  # griffe parses "Examples:" doctest blocks as code, "Example:" not
    text = _INLINE.sub(lambda mm: f"${mm.group(1)}$", text)
    return _ROLE.sub(lambda mm: f"`{mm.group(1)}`", text)


class MathExtension(griffe.Extension):
    """Rewrite docstrings before they are parsed."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = convert(obj.docstring.value)
