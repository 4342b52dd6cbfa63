"""Config files as plain data: the one reader behind ``lrparity.load_config`` and every ``lrparity`` command.

:func:`read_config_file` reads a YAML or JSON file (JSON when the name ends in ``.json``) and returns plain data:
mappings, lists, strings, numbers, booleans and null (plus the other types of YAML's safe schema: dates,
binary, sets). Nothing in a file is executed: YAML ``!!python/...`` tags and unknown tags are refused. Every
problem raises :class:`ConfigFileError` (a ``ValueError``) whose message starts with the file's name and, where
there is one, the line: a missing file, a directory, an empty file, text that is not UTF-8, invalid YAML/JSON,
a duplicate key (YAML and JSON keep the last one silently; lrparity refuses the file), a recursive alias or
an alias expansion larger than :data:`MAX_NODES`.

Duplicate keys: lrparity's own configs refuse them (``duplicate_keys="refuse"``, the default). A suite's real
config that its suite accepts must not be refused (PaddleSeg's KNet configs repeat ``types`` in their ``loss``
section, and PyYAML keeps the last one): its reader passes ``duplicate_keys="warn"``, which keeps the last value
as PyYAML and ``json`` do and reports each duplicate (:class:`DuplicateKey`: the file, the key's path in the
document and the lines of every occurrence) to ``on_duplicate``, or as a :class:`ConfigFileWarning`.

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
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

__all__ = [
    "MAX_BYTES",
    "MAX_NODES",
    "ConfigFileError",
    "ConfigFileWarning",
    "DuplicateKey",
    "parse_config_text",
    "read_config_file",
]

MAX_BYTES = 16 * 2**20
"""Largest config file read, in bytes (16 MiB)."""

MAX_NODES = 1_000_000
"""Most YAML nodes a document may expand to, aliases counted at every use (a guard against alias bombs)."""

MAX_FLOW_DEPTH = 100
"""Deepest nesting of YAML flow collections (``[...]``, ``{...}``) read; deeper text is refused at once."""

_FLOAT_1_2 = re.compile(r"^[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9_]+)[eE][-+]?[0-9]+$")
"""Exponent floats without a dot or a sign (``1e-5``, ``2E3``): floats in YAML 1.2, strings for PyYAML."""

_PYTHON_TAG_PREFIX = "tag:yaml.org,2002:python/"
_LOCAL_TAG = re.compile(r"^![A-Za-z_][A-Za-z0-9_]*$")
"""A local tag such as ``!COCODataSet`` (read as data with ``unknown_tags="data"``)."""


class ConfigFileError(ValueError):
    """A config file that cannot be read as plain data. The message starts with the file's name.

    Attributes:
        path: the file (or the ``where`` given to :func:`parse_config_text`).
    """

    def __init__(self, path: str | os.PathLike[str], message: str) -> None:
        self.path = str(path)
        super().__init__(f"{self.path}: {' '.join(message.split())}")


class ConfigFileWarning(UserWarning):
    """A config file that was read, with something in it worth knowing: a duplicate key read with
    ``duplicate_keys="warn"`` (the message starts with the file's name)."""


@dataclass(frozen=True)
class DuplicateKey:
    """A key that a mapping of a config file holds more than once; the reader kept the last value (as PyYAML does).

    Attributes:
        path: the file (or the ``where`` given to :func:`parse_config_text`).
        key: the repeated key.
        where: the mapping holding it, as a path of keys from the document's root (``"loss"``,
            ``"model.backbone"``, ``"[0].lr"``; ``""`` for the root; for JSON always ``""``: see ``lines``).
        lines: the 1-based line of each occurrence, in file order; the value of the last one is kept. For a JSON
            file, the lines where ``"key":`` appears in the file (JSON's parser gives no positions).
    """

    path: str
    key: Any
    where: str
    lines: tuple[int, ...]

    def __str__(self) -> str:
        inside = f" in {self.where}" if self.where else ""
        lines = ", ".join(str(n) for n in self.lines)
        kept = f" (line {self.lines[-1]})" if self.lines else ""
        return (
            f"{self.path}: duplicate key {self.key!r}{inside} at lines {lines or '?'}: the last one{kept} is kept, "
            "as PyYAML and json do"
        )


DuplicateKeys = Literal["refuse", "warn"]
"""What :func:`read_config_file` does with a key repeated in a mapping: refuse the file, or keep the last value and
report it."""


def _warn_duplicate(duplicate: DuplicateKey) -> None:
    warnings.warn(str(duplicate), ConfigFileWarning, stacklevel=4)


def read_config_file(
    path: str | os.PathLike[str],
    *,
    yaml_floats: Literal["1.2", "1.1"] = "1.2",
    tags: Iterable[str] = (),
    tag_key: str = "name",
    unknown_tags: Literal["refuse", "data"] = "refuse",
    duplicate_keys: DuplicateKeys = "refuse",
    on_duplicate: Callable[[DuplicateKey], None] | None = None,
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
        unknown_tags: what a local tag ``!Name`` that ``tags`` does not list gives: ``"refuse"`` (an error) or
            ``"data"`` (read as ``tags`` reads its tags: for a reader that looks at some sections only, such as
            PaddleDetection's ``LearningRate`` in a config whose dataset sections are tagged ``!COCODataSet``).
            Python tags are refused either way.
        duplicate_keys: a key repeated in a mapping: ``"refuse"`` (a :class:`ConfigFileError` naming the key and
            both lines; lrparity's own configs) or ``"warn"`` (the last value is kept, as PyYAML and ``json`` keep
            it, and each repeated key is reported: a suite's real config that the suite itself accepts).
        on_duplicate: with ``"warn"``: called with a :class:`DuplicateKey` for each repeated key, after the whole
            file is read; default: ``warnings.warn`` of a :class:`ConfigFileWarning` with its text.

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
    return parse_config_text(
        text,
        where=where,
        fmt=fmt,
        yaml_floats=yaml_floats,
        tags=tags,
        tag_key=tag_key,
        unknown_tags=unknown_tags,
        duplicate_keys=duplicate_keys,
        on_duplicate=on_duplicate,
    )


def parse_config_text(
    text: str,
    *,
    where: str = "<config>",
    fmt: Literal["yaml", "json"] = "yaml",
    yaml_floats: Literal["1.2", "1.1"] = "1.2",
    tags: Iterable[str] = (),
    tag_key: str = "name",
    unknown_tags: Literal["refuse", "data"] = "refuse",
    duplicate_keys: DuplicateKeys = "refuse",
    on_duplicate: Callable[[DuplicateKey], None] | None = None,
) -> Any:
    """Parse config text as :func:`read_config_file` does; ``where`` names it in errors."""
    if duplicate_keys not in ("refuse", "warn"):
        raise ValueError(f"duplicate_keys must be 'refuse' or 'warn', got {duplicate_keys!r}")
    if on_duplicate is not None and not callable(on_duplicate):
        raise TypeError(f"on_duplicate must be a callable taking a DuplicateKey, got {on_duplicate!r}")
    found: list[DuplicateKey] = []
    if fmt == "json":
        data = _parse_json(text, where, found if duplicate_keys == "warn" else None)
        if data is None:
            raise ConfigFileError(where, "holds null, not a config")
        _report(found, on_duplicate)
        return data
    if fmt != "yaml":
        raise ValueError(f"fmt must be 'yaml' or 'json', got {fmt!r}")
    if yaml_floats not in ("1.2", "1.1"):
        raise ValueError(f"yaml_floats must be '1.2' or '1.1', got {yaml_floats!r}")
    if unknown_tags not in ("refuse", "data"):
        raise ValueError(f"unknown_tags must be 'refuse' or 'data', got {unknown_tags!r}")
    names = tuple(sorted({str(t).lstrip("!") for t in tags}))
    loader = _loader(yaml_floats, names, tag_key, unknown_tags == "data", duplicate_keys == "warn")
    data = _parse_yaml(text, where, loader, found)
    if data is None:
        raise ConfigFileError(where, "is empty (no YAML document: only blank lines, comments or null)")
    _report(found, on_duplicate)
    return data


def _report(found: list[DuplicateKey], on_duplicate: Callable[[DuplicateKey], None] | None) -> None:
    for duplicate in found:
        (on_duplicate or _warn_duplicate)(duplicate)


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
def _json_key_lines(text: str, key: str) -> tuple[int, ...]:
    """The lines where ``"key":`` appears in JSON text (every object's, not only the object holding the duplicate)."""
    pattern = re.compile(re.escape(json.dumps(key)) + r"\s*:")
    return tuple(text.count("\n", 0, m.start()) + 1 for m in pattern.finditer(text))


def _parse_json(text: str, where: str, duplicates: list[DuplicateKey] | None = None) -> Any:
    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        repeated: list[str] = []
        for key, value in items:
            if key in out:
                if duplicates is None:
                    raise ConfigFileError(
                        where,
                        f"duplicate key {key!r} in a JSON object (JSON keeps only the last one; remove the other)",
                    )
                if key not in repeated:
                    repeated.append(key)
            out[key] = value
        for key in repeated:
            assert duplicates is not None
            duplicates.append(DuplicateKey(where, key, "", _json_key_lines(text, key)))
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
def _loader(
    yaml_floats: str,
    tag_names: tuple[str, ...],
    tag_key: str,
    any_local_tag: bool = False,
    keep_duplicates: bool = False,
) -> type:
    """A ``yaml.SafeLoader`` subclass: YAML 1.2 floats (optional), duplicate keys refused (or, with
    ``keep_duplicates``, listed in the instance's ``duplicates`` and the last value kept), python and unknown tags
    refused with a clear message, ``tag_names`` (every local tag ``!Name`` with ``any_local_tag``) read as
    ``{tag_key: name, **mapping}``."""
    import yaml
    from yaml.constructor import ConstructorError

    class Refused(ConstructorError):
        """A node lrparity refuses to read (its message is not a syntax error)."""

    class Loader(yaml.SafeLoader):
        refused = Refused

        def __init__(self, stream: Any) -> None:
            super().__init__(stream)
            self.duplicates: list[tuple[str, Any, tuple[int, ...]]] = []  # (where, key, lines)
            self.key_path: list[str] = []  # the keys (and list positions) of the nodes being composed

        def fetch_flow_collection_start(self, TokenClass: Any) -> None:
            # PyYAML's scanner re-checks every open flow level at each token: deep ``[[[...`` text takes time
            # quadratic in its depth before any node exists, so it is refused as soon as it is too deep.
            if self.flow_level >= MAX_FLOW_DEPTH:
                problem = f"is nested too deeply to be a config (more than {MAX_FLOW_DEPTH} levels of [...] or {{...}})"
                raise Refused(None, None, problem, self.get_mark())
            super().fetch_flow_collection_start(TokenClass)

        def compose_node(self, parent: Any, index: Any) -> Any:
            # PyYAML composes a mapping's value with its key node as ``index``, a list item with its position: the
            # path of the mapping being composed, for the duplicate-key report.
            if isinstance(index, yaml.ScalarNode):
                step = index.value
            elif isinstance(index, int) and not isinstance(index, bool):
                step = f"[{index}]"
            else:
                return super().compose_node(parent, index)
            self.key_path.append(step)
            try:
                return super().compose_node(parent, index)
            finally:
                self.key_path.pop()

        def compose_mapping_node(self, anchor: Any) -> Any:
            # Checked as composed, before '<<' merges are flattened in: explicit keys override merged ones.
            node = super().compose_mapping_node(anchor)
            seen: dict[Any, Any] = {}
            repeated: dict[Any, list[int]] = {}
            for key_node, _ in node.value:
                if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                key = self.construct_object(key_node)
                try:
                    first = seen.setdefault(key, key_node)
                except TypeError:
                    continue  # an unhashable key: the constructor reports it
                if first is not key_node and keep_duplicates:
                    lines = repeated.setdefault(key, [first.start_mark.line + 1])
                    lines.append(key_node.start_mark.line + 1)
                elif first is not key_node:
                    raise Refused(
                        None,
                        None,
                        f"duplicate key {key!r} (first at line {first.start_mark.line + 1}): YAML keeps only the "
                        "last one, so lrparity refuses the file; remove one of them",
                        key_node.start_mark,
                    )
            where = ".".join(self.key_path).replace(".[", "[")
            self.duplicates.extend((where, key, tuple(lines)) for key, lines in repeated.items())
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
    if any_local_tag:

        def local_or_refuse(loader: Any, node: Any) -> Any:
            if _LOCAL_TAG.match(node.tag):
                return tagged(node.tag[1:])(loader, node)
            return refuse_unknown(loader, node)

        Loader.add_constructor(None, local_or_refuse)
    else:
        Loader.add_constructor(None, refuse_unknown)
    for name in tag_names:
        Loader.add_constructor("!" + name, tagged(name))
    return Loader


def _parse_yaml(text: str, where: str, loader_cls: Any, duplicates: list[DuplicateKey] | None = None) -> Any:
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
        data = loader.construct_document(node)
        if duplicates is not None:
            duplicates.extend(DuplicateKey(where, key, path, lines) for path, key, lines in loader.duplicates)
        return data
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
