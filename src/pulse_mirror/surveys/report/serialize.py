"""Turn the report's frozen dataclasses into plain JSON types, field by field."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import math
from collections.abc import Mapping, Sequence

JsonValue = dict[str, "JsonValue"] | list["JsonValue"] | str | int | float | bool | None


def to_json(value: object) -> JsonValue:
    """A dataclass, enum, mapping or sequence as dicts, lists and scalars; floats stay exact.

    A moment (an open window's close) becomes its ISO 8601 text.
    """
    if value is None or isinstance(value, bool | int | str):
        return value if not isinstance(value, enum.Enum) else str(value.value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"a report figure must be finite, not {value}")
        return value
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_json(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(key): to_json(item) for key, item in value.items()}
    if isinstance(value, Sequence):
        return [to_json(item) for item in value]
    raise TypeError(f"cannot put {type(value).__name__} into the report's JSON")
