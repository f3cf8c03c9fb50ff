"""Turn YAML and pydantic errors into one readable line per problem.

Each line names the key path (``surveys.customers.min_days_between``), the offending value
and what is allowed. Values of secret-looking keys are never shown.
"""

from __future__ import annotations

import difflib
import re
import types
import typing
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

_UNION_TAGS = frozenset({"int", "str", "float", "bool", "list", "dict", "tuple", "none"})
_BOUNDS = {
    "greater_than_equal": ("≥", "ge"),
    "greater_than": (">", "gt"),
    "less_than_equal": ("≤", "le"),
    "less_than": ("<", "lt"),
}
_KINDS = {
    "int_parsing": "is not a whole number",
    "int_type": "is not a whole number",
    "int_from_float": "is not a whole number",
    "float_parsing": "is not a number",
    "float_type": "is not a number",
    "bool_parsing": "is not true or false",
    "bool_type": "is not true or false",
    "string_type": "is not text",
    "list_type": "must be a list, e.g. [a, b]",
    "tuple_type": "must be a list, e.g. [1, 5]",
    "dict_type": "must be a mapping of keys to values",
    "model_type": "must be a mapping of keys to values",
    "model_attributes_type": "must be a mapping of keys to values",
}


class _Loader(yaml.SafeLoader):
    """Safe YAML that reads ``10:00`` as text (not 600) and notes duplicate keys."""

    duplicates: list[str]


# YAML 1.1 reads 10:00 as the base-60 number 600; times of day must stay text.
_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in ("tag:yaml.org,2002:int",)]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
for _first in "-+0123456789":
    _Loader.yaml_implicit_resolvers.setdefault(_first, []).insert(
        0,
        (
            "tag:yaml.org,2002:int",
            re.compile(
                r"^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+)$"
            ),
        ),
    )


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if isinstance(key, str | int | float | bool) and key in seen:
            loader.duplicates.append(
                f"line {key_node.start_mark.line + 1}: key {key!r} appears twice in one mapping"
            )
        if isinstance(key, str | int | float | bool):
            seen.add(key)
    return loader.construct_mapping(node)


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)


def read_yaml(path: Path) -> tuple[object, list[str]]:
    """Parse a YAML file; return its data and problems (with the file name) such as duplicates."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None, [f"{path}: file not found"]
    except IsADirectoryError:
        return None, [f"{path}: is a folder, not a file"]
    except (OSError, UnicodeDecodeError) as exc:
        return None, [f"{path}: cannot be read ({type(exc).__name__})"]
    loader = _Loader(text)
    loader.duplicates = []
    try:
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        return None, [f"{path}: not valid YAML{where}: {exc.problem or exc.context}"]
    except yaml.YAMLError as exc:
        return None, [f"{path}: not valid YAML: {type(exc).__name__}"]
    finally:
        loader.dispose()
    return data, [f"{path}: {line}" for line in loader.duplicates]


def key_path(loc: Sequence[str | int]) -> str:
    """``("surveys", "employees", "weekdays", 0)`` -> ``surveys.employees.weekdays[0]``."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text


def show(value: object) -> str:
    """A short printable form of an offending value."""
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list" if len(repr(value)) > 40 else repr(list(value))
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "...'"


def pydantic_problems(exc: ValidationError, *, root: type[BaseModel]) -> list[str]:
    """One line per pydantic error, with the key path from the top of the file."""
    return [_line(error, root=root) for error in exc.errors(include_url=False)]


def _clean_loc(loc: Sequence[str | int]) -> tuple[list[str | int], bool]:
    parts = [p for p in loc if not (isinstance(p, str) and (p in _UNION_TAGS or "[" in p))]
    return parts, bool(loc) and loc[-1] == "[key]"


def _line(error: ErrorDetails, *, root: type[BaseModel]) -> str:
    loc, about_key = _clean_loc(error["loc"])
    if about_key:
        loc = loc[:-1]  # the dict's own path; the input is the key
    kind = error["type"]
    ctx: dict[str, Any] = dict(error.get("ctx") or {})
    value = show(error.get("input"))
    if kind == "pulse":
        if "at" in ctx:
            loc = [*loc, ctx["at"]]
        return f"{key_path(loc)}: {ctx['detail']}"
    if kind == "extra_forbidden":
        return _unknown_key(loc, root=root)
    path = key_path(loc) or "config"
    if kind == "missing":
        return f"{path}: is required"
    if kind == "literal_error":
        allowed = str(ctx.get("expected", "")).replace("'", "")
        return f"{path}: {value} is not allowed; use {allowed}"
    if kind in _BOUNDS:
        sign, name = _BOUNDS[kind]
        bound = ctx.get(name)
        if isinstance(bound, float) and bound.is_integer():
            bound = int(bound)
        return f"{path}: {value} is not allowed; must be {sign} {bound}"
    if kind in ("too_short", "too_long") and ctx.get("field_type") == "Tuple":
        return f"{path}: {value} is not allowed; must be two whole numbers [low, high]"
    if kind == "too_short":
        return f"{path}: must have at least {ctx.get('min_length')} entries"
    if kind == "too_long":
        return f"{path}: must have at most {ctx.get('max_length')} entries"
    if kind in _KINDS:
        return f"{path}: {value} {_KINDS[kind]}"
    return f"{path}: {value} is not allowed ({error['msg']})"


def _unknown_key(loc: list[str | int], *, root: type[BaseModel]) -> str:
    path = key_path(loc)
    known = _fields_at(root, loc[:-1])
    close = difflib.get_close_matches(str(loc[-1]), known, n=1, cutoff=0.6)
    if close:
        return f"unknown key {path} (did you mean {close[0]}?)"
    if known:
        return f"unknown key {path} (allowed here: {', '.join(known)})"
    return f"unknown key {path}"


def _fields_at(root: type[BaseModel], loc: Sequence[str | int]) -> list[str]:
    """The field names of the model found at ``loc`` below ``root``; [] if none."""
    current: Any = root
    for part in loc:
        current = _step(current, part)
        if current is None:
            return []
    current = _unwrap(current)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return list(current.model_fields)
    return []


def _unwrap(annotation: Any) -> Any:
    """Strip Annotated and ``X | None`` down to X."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(args) != 1:
                return annotation
            annotation = args[0]
        else:
            return annotation


def _step(annotation: Any, part: str | int) -> Any:
    annotation = _unwrap(annotation)
    if isinstance(part, str) and isinstance(annotation, type) and issubclass(annotation, BaseModel):
        field = annotation.model_fields.get(part)
        return field.annotation if field else None
    args = typing.get_args(annotation)
    if isinstance(part, int) and args:
        return args[0]
    if typing.get_origin(annotation) is dict and len(args) == 2:
        return args[1]
    return None
