"""Config files as plain data: the one reader behind ``lrparity.load_config`` and every ``lrparity`` command.

:func:`read_config_file` reads a YAML or JSON file (JSON when the name ends in ``.json``) and returns plain data:
mappings, lists, strings, numbers, booleans and null (plus the other types of YAML's safe schema: dates,
binary, sets). Nothing in a file is executed: YAML ``!!python/...`` tags and unknown tags are refused. Every
problem raises :class:`ConfigFileError` (a ``ValueError``) whose message starts with the file's name and, where
there is one, the line: a missing file, a directory, an empty file, text that is not UTF-8, invalid YAML/JSON,
a duplicate key (YAML and JSON keep the last one silently; lrparity refuses the file), a recursive alias or
an alias expansion larger than :data:`MAX_NODES`.

YAML floats: with ``yaml_floats="1.2"`` (the default, lrparity's own configs) ``1e-5`` is a float as in
YAML 1.2 and JSON. With ``"1.1"`` the file is read as PyYAML reads it, which is how PaddleOCR, PaddleClas,
PaddleSeg and PaddleDetection read their configs: ``1e-5`` (no dot) is the *string* ``'1e-5'``, and code that
reproduces a suite must see what the suite sees. Every other rule is PyYAML's (YAML 1.1 booleans, ints, null).

PyYAML is imported when a YAML file is read, so importing this module needs only the standard library.
"""

from __future__ import annotations

import functools
import json
import os
import re
import stat
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal

__all__ = ["MAX_BYTES", "MAX_NODES", "ConfigFileError", "parse_config_text", "read_config_file"]

MAX_BYTES = 16 * 2**20
"""Largest config file read, in bytes (16 MiB)."""

MAX_NODES = 1_000_000
"""Most YAML nodes a document may expand to, aliases counted at every use (a guard against alias bombs)."""

MAX_FLOW_DEPTH = 100
"""Deepest nesting of YAML flow collections (``[...]``, ``{...}``) read; deeper text is refused at once."""

_FLOAT_1_2 = re.compile(r"^[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9_]+)[eE][-+]?[0-9]+$")
"""Exponent floats without a dot or a sign (``1e-5``, ``2E3``): floats in YAML 1.2, strings for PyYAML."""

_PYTHON_TAG_PREFIX = "tag:yaml.org,2002:python/"


class ConfigFileError(ValueError):
    """A config file that cannot be read as plain data. The message starts with the file's name.

    Attributes:
        path: the file (or the ``where`` given to :func:`parse_config_text`).
    """

    def __init__(self, path: str | os.PathLike[str], message: str) -> None:
        self.path = str(path)
        super().__init__(f"{self.path}: {' '.join(message.split())}")


def read_config_file(
    path: str | os.PathLike[str],
    *,
    yaml_floats: Literal["1.2", "1.1"] = "1.2",
    tags: Iterable[str] = (),
    tag_key: str = "name",
) -> Any:
    """Read a YAML or JSON config file (JSON when its name ends in ``.json``) as plain data.

    Args:
        path: the file.
        yaml_floats: ``"1.2"``: ``1e-5`` is a float (lrparity's configs); ``"1.1"``: PyYAML's rule, ``1e-5`` is
            a string (how the Paddle suites read their configs). JSON files ignore it.
        tags: local YAML tags to read as data, e.g. ``("PiecewiseDecay",)`` for PaddleDetection's
            ``!PiecewiseDecay {gamma: 0.1}``, which becomes ``{"name": "PiecewiseDecay", "gamma": 0.1}``
            (``{"name": ...}`` alone for a tag with no value). Any other tag is refused.
        tag_key: the key that holds a tag's name in that mapping (``"name"``).

    Returns:
        The document: a dict, a list or a scalar (never None: an empty document is an error).

    Raises:
        ConfigFileError: a ValueError naming the file (and the line): see the module docstring.
        TypeError: ``path`` is not a path.
    """
    where = os.fspath(path)
    p = Path(where)
    try:
        info = p.stat()
    except FileNotFoundError:
        raise ConfigFileError(where, "no such file") from None
    except OSError as exc:
        raise ConfigFileError(where, f"cannot be read ({exc.strerror or exc})") from None
    if stat.S_ISDIR(info.st_mode):
        raise ConfigFileError(where, "is a directory, not a config file")
    if not stat.S_ISREG(info.st_mode):
        raise ConfigFileError(where, "is not a regular file")
    if info.st_size > MAX_BYTES:
        raise ConfigFileError(where, f"is {info.st_size} bytes; config files are read up to {MAX_BYTES} bytes")
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise ConfigFileError(where, f"cannot be read ({exc.strerror or exc})") from None
    text = _decode(data, where)
    fmt: Literal["yaml", "json"] = "json" if p.suffix.lower() == ".json" else "yaml"
    return parse_config_text(text, where=where, fmt=fmt, yaml_floats=yaml_floats, tags=tags, tag_key=tag_key)


def parse_config_text(
    text: str,
    *,
    where: str = "<config>",
    fmt: Literal["yaml", "json"] = "yaml",
    yaml_floats: Literal["1.2", "1.1"] = "1.2",
    tags: Iterable[str] = (),
    tag_key: str = "name",
) -> Any:
    """Parse config text as :func:`read_config_file` does; ``where`` names it in errors."""
    if fmt == "json":
        data = _parse_json(text, where)
        if data is None:
            raise ConfigFileError(where, "holds null, not a config")
        return data
    if fmt != "yaml":
        raise ValueError(f"fmt must be 'yaml' or 'json', got {fmt!r}")
    if yaml_floats not in ("1.2", "1.1"):
        raise ValueError(f"yaml_floats must be '1.2' or '1.1', got {yaml_floats!r}")
    names = tuple(sorted({str(t).lstrip("!") for t in tags}))
    data = _parse_yaml(text, where, _loader(yaml_floats, names, tag_key))
    if data is None:
        raise ConfigFileError(where, "is empty (no YAML document: only blank lines, comments or null)")
    return data


# -- decoding ----------------------------------------------------------------------------------------------------
def _decode(data: bytes, where: str) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ConfigFileError(where, "is UTF-16 text (it starts with a UTF-16 byte order mark); save it as UTF-8")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise ConfigFileError(
            where,
            f"is not UTF-8 text: byte 0x{data[exc.start]:02x} at line {line}, column {column} cannot be decoded "
            "(config files are read as UTF-8)",
        ) from None


# -- JSON --------------------------------------------------------------------------------------------------------
def _parse_json(text: str, where: str) -> Any:
    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in items:
            if key in out:
                raise ConfigFileError(
                    where, f"duplicate key {key!r} in a JSON object (JSON keeps only the last one; remove the other)"
                )
            out[key] = value
        return out

    if not text.strip():
        raise ConfigFileError(where, "is empty (no JSON value)")
    try:
        return json.loads(text, object_pairs_hook=pairs)
    except json.JSONDecodeError as exc:
        raise ConfigFileError(where, f"line {exc.lineno}, column {exc.colno}: not valid JSON: {exc.msg}") from None
    except RecursionError:
        raise ConfigFileError(where, "is nested too deeply to be a config") from None
    except ConfigFileError:
        raise
    except ValueError as exc:  # e.g. an integer longer than Python's int-string conversion limit
        raise ConfigFileError(where, f"not valid JSON: {exc}") from None


# -- YAML --------------------------------------------------------------------------------------------------------
def _short_tag(tag: str) -> str:
    return "!!" + tag[len("tag:yaml.org,2002:") :] if tag.startswith("tag:yaml.org,2002:") else tag


@functools.lru_cache(maxsize=32)
def _loader(yaml_floats: str, tag_names: tuple[str, ...], tag_key: str) -> type:
    """A ``yaml.SafeLoader`` subclass: YAML 1.2 floats (optional), duplicate keys refused, python and unknown tags
    refused with a clear message, ``tag_names`` read as ``{tag_key: name, **mapping}``."""
    import yaml
    from yaml.constructor import ConstructorError

    class Refused(ConstructorError):
        """A node lrparity refuses to read (its message is not a syntax error)."""

    class Loader(yaml.SafeLoader):
        refused = Refused

        def fetch_flow_collection_start(self, token_class: Any) -> None:
            # PyYAML's scanner slows down quadratically with flow nesting ([[[...]]]): refuse deep nesting early.
            super().fetch_flow_collection_start(token_class)
            if self.flow_level > MAX_FLOW_DEPTH:
                raise Refused(
                    None,
                    None,
                    f"is nested too deeply (more than {MAX_FLOW_DEPTH} levels of [...] or {{...}}), not a config",
                    self.get_mark(),
                )

        def compose_mapping_node(self, anchor: Any) -> Any:
            # Checked as composed, before '<<' merges are flattened in: explicit keys override merged ones.
            node = super().compose_mapping_node(anchor)
            seen: dict[Any, Any] = {}
            for key_node, _ in node.value:
                if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                key = self.construct_object(key_node)
                try:
                    first = seen.setdefault(key, key_node)
                except TypeError:
                    continue  # an unhashable key: the constructor reports it
                if first is not key_node:
                    raise Refused(
                        None,
                        None,
                        f"duplicate key {key!r} (first at line {first.start_mark.line + 1}): YAML keeps only the "
                        "last one, so lrparity refuses the file; remove one of them",
                        key_node.start_mark,
                    )
            return node

    def refuse_python(loader: Any, suffix: str, node: Any) -> Any:
        raise Refused(
            None,
            None,
            f"tag {_short_tag(node.tag)} is refused: python tags build Python objects or run code, and lrparity "
            "reads config files as plain data (nothing was executed)",
            node.start_mark,
        )

    def refuse_unknown(loader: Any, node: Any) -> Any:
        allowed = f" (tags read here: {', '.join('!' + t for t in tag_names)})" if tag_names else ""
        raise Refused(
            None,
            None,
            f"unknown tag {_short_tag(node.tag)}: lrparity reads plain YAML (mappings, lists, strings, numbers, "
            f"booleans, null){allowed}",
            node.start_mark,
        )

    def tagged(name: str) -> Any:
        def construct(loader: Any, node: Any) -> Any:
            if isinstance(node, yaml.MappingNode):
                value = loader.construct_mapping(node, deep=True)
            elif isinstance(node, yaml.ScalarNode) and node.value == "":
                value = {}
            else:
                raise Refused(None, None, f"tag !{name} takes a mapping of its parameters", node.start_mark)
            if tag_key in value:
                raise Refused(
                    None, None, f"tag !{name} and a {tag_key!r} key in its mapping: one of them", node.start_mark
                )
            return {tag_key: name, **value}

        return construct

    if yaml_floats == "1.2":
        Loader.add_implicit_resolver("tag:yaml.org,2002:float", _FLOAT_1_2, list("-+0123456789."))
    Loader.add_multi_constructor(_PYTHON_TAG_PREFIX, refuse_python)
    Loader.add_constructor(None, refuse_unknown)
    for name in tag_names:
        Loader.add_constructor("!" + name, tagged(name))
    return Loader


def _parse_yaml(text: str, where: str, loader_cls: Any) -> Any:
    import yaml

    try:
        loader = loader_cls(text)  # the reader refuses a non-printable character before any parsing
    except yaml.reader.ReaderError as exc:
        raise ConfigFileError(
            where,
            f"not valid YAML: character U+{exc.character:04X} at offset {exc.position}: "
            f"{exc.reason} (YAML allows printable characters, tab and line breaks)",
        ) from None
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_expansion(node, where)
        return loader.construct_document(node)
    except loader_cls.refused as exc:
        raise ConfigFileError(where, f"{_at(exc.problem_mark)}{exc.problem}") from None
    except yaml.MarkedYAMLError as exc:
        context = f"{exc.context}; " if exc.context else ""
        raise ConfigFileError(where, f"{_at(exc.problem_mark)}not valid YAML: {context}{exc.problem}") from None
    except yaml.YAMLError as exc:
        raise ConfigFileError(where, f"not valid YAML: {exc}") from None
    except RecursionError:
        raise ConfigFileError(where, "is nested too deeply to be a config") from None
    except ConfigFileError:
        raise
    except ValueError as exc:  # e.g. an integer longer than Python's int-string conversion limit
        raise ConfigFileError(where, f"cannot read a value: {exc}") from None
    finally:
        loader.dispose()


def _at(mark: Any) -> str:
    return "" if mark is None else f"line {mark.line + 1}, column {mark.column + 1}: "


def _check_expansion(root: Any, where: str) -> None:
    """Refuse recursive aliases and documents that expand to more than :data:`MAX_NODES` nodes."""
    import yaml

    def children(node: Any) -> list[Any]:
        if isinstance(node, yaml.MappingNode):
            return [n for pair in node.value for n in pair]
        if isinstance(node, yaml.SequenceNode):
            return list(node.value)
        return []

    size: dict[int, int] = {}
    open_nodes: set[int] = set()
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, finished = stack.pop()
        key = id(node)
        if finished:
            open_nodes.discard(key)
            size[key] = min(1 + sum(size[id(c)] for c in children(node)), MAX_NODES + 1)
            continue
        if key in size:
            continue
        if key in open_nodes:
            raise ConfigFileError(
                where, f"{_at(node.start_mark)}a recursive alias (a node that contains itself) is not a config"
            )
        open_nodes.add(key)
        stack.append((node, True))
        stack.extend((c, False) for c in children(node))
    if size[id(root)] > MAX_NODES:
        raise ConfigFileError(where, f"expands to more than {MAX_NODES} values through aliases; not a config")
