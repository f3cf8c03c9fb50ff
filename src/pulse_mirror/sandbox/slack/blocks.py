"""Block Kit limits as Slack enforces them, reported the way Slack reports ``invalid_blocks``."""

from __future__ import annotations

from typing import Any, Literal

Surface = Literal["message", "modal", "home"]

MAX_BLOCKS: dict[Surface, int] = {"message": 50, "modal": 100, "home": 100}
MAX_TEXT = 3000
MAX_ACTIONS_ELEMENTS = 25
MAX_BUTTON_TEXT = 75
MAX_BUTTON_VALUE = 2000
MAX_ACTION_ID = 255
MAX_BLOCK_ID = 255
MAX_HEADER_TEXT = 150
MAX_FIELDS = 10
MAX_FIELD_TEXT = 2000
MAX_CONTEXT_ELEMENTS = 10
MAX_MESSAGE_TEXT = 40000
ACTIONABLE = frozenset(
    {"button", "static_select", "overflow", "radio_buttons", "checkboxes", "datepicker"}
)


def block_errors(blocks: Any, *, surface: Surface = "message") -> list[str]:
    """Every way ``blocks`` breaks Slack's limits, as Slack words them (empty if valid)."""
    if not isinstance(blocks, list):
        return ["must be an array [json-pointer:/blocks]"]
    errors: list[str] = []
    limit = MAX_BLOCKS[surface]
    if len(blocks) > limit:
        errors.append(f"must be less than {limit + 1} items [json-pointer:/blocks]")
    for index, block in enumerate(blocks):
        errors.extend(_block_errors(block, f"/blocks/{index}"))
    return errors


def _too_long(value: Any, limit: int, pointer: str) -> list[str]:
    if isinstance(value, str) and len(value) > limit:
        return [f"must be less than {limit + 1} characters [json-pointer:{pointer}]"]
    return []


def _text_errors(obj: Any, limit: int, pointer: str) -> list[str]:
    if obj is None:
        return []
    if not isinstance(obj, dict) or "text" not in obj:
        return [f"must provide an object with a text field [json-pointer:{pointer}]"]
    return _too_long(obj.get("text"), limit, f"{pointer}/text")


def _block_errors(block: Any, at: str) -> list[str]:
    if not isinstance(block, dict) or not isinstance(block.get("type"), str):
        return [f"missing required field: type [json-pointer:{at}]"]
    errors = _too_long(block.get("block_id"), MAX_BLOCK_ID, f"{at}/block_id")
    kind = block["type"]
    if kind == "section":
        errors += _text_errors(block.get("text"), MAX_TEXT, f"{at}/text")
        fields = block.get("fields") or []
        if len(fields) > MAX_FIELDS:
            errors.append(f"must be less than {MAX_FIELDS + 1} items [json-pointer:{at}/fields]")
        for i, item in enumerate(fields):
            errors += _text_errors(item, MAX_FIELD_TEXT, f"{at}/fields/{i}")
        if isinstance(block.get("accessory"), dict):
            errors += _element_errors(block["accessory"], f"{at}/accessory")
    elif kind == "header":
        errors += _text_errors(block.get("text"), MAX_HEADER_TEXT, f"{at}/text")
    elif kind == "actions":
        elements = block.get("elements")
        if not isinstance(elements, list) or not elements:
            errors.append(f"missing required field: elements [json-pointer:{at}/elements]")
            elements = []
        if len(elements) > MAX_ACTIONS_ELEMENTS:
            limit = MAX_ACTIONS_ELEMENTS + 1
            errors.append(f"must be less than {limit} items [json-pointer:{at}/elements]")
        for i, element in enumerate(elements):
            errors += _element_errors(element, f"{at}/elements/{i}")
    elif kind == "context":
        elements = block.get("elements") or []
        if len(elements) > MAX_CONTEXT_ELEMENTS:
            limit = MAX_CONTEXT_ELEMENTS + 1
            errors.append(f"must be less than {limit} items [json-pointer:{at}/elements]")
        for i, element in enumerate(elements):
            if isinstance(element, dict) and "text" in element:
                errors += _too_long(element["text"], MAX_TEXT, f"{at}/elements/{i}/text")
    elif kind == "input":
        errors += _text_errors(block.get("label"), 2000, f"{at}/label")
        if isinstance(block.get("element"), dict):
            errors += _element_errors(block["element"], f"{at}/element")
    return errors


def _element_errors(element: Any, at: str) -> list[str]:
    if not isinstance(element, dict) or not isinstance(element.get("type"), str):
        return [f"missing required field: type [json-pointer:{at}]"]
    errors = _too_long(element.get("action_id"), MAX_ACTION_ID, f"{at}/action_id")
    if element["type"] == "button":
        errors += _text_errors(element.get("text"), MAX_BUTTON_TEXT, f"{at}/text")
        errors += _too_long(element.get("value"), MAX_BUTTON_VALUE, f"{at}/value")
    return errors


def buttons(blocks: list[Any]) -> list[tuple[str, dict[str, Any]]]:
    """Every button in ``blocks`` as (block_id, element), in order."""
    return [(b, e) for b, e in interactive(blocks) if e.get("type") == "button"]


def interactive(blocks: list[Any]) -> list[tuple[str, dict[str, Any]]]:
    """Every element a person can act on (button, select, overflow...) as (block_id, element)."""
    found: list[tuple[str, dict[str, Any]]] = []
    for index, block in enumerate(blocks):
        if not isinstance(block, dict):
            continue
        block_id = str(block.get("block_id") or f"b{index}")
        candidates = list(block.get("elements") or []) if block.get("type") == "actions" else []
        if isinstance(block.get("accessory"), dict):
            candidates.append(block["accessory"])
        for element in candidates:
            if isinstance(element, dict) and element.get("type") in ACTIONABLE:
                found.append((block_id, element))
    return found


def with_block_ids(blocks: list[Any]) -> list[Any]:
    """``blocks`` with a block_id on every block, as Slack fills in missing ones."""
    filled: list[Any] = []
    for index, block in enumerate(blocks):
        if isinstance(block, dict) and not block.get("block_id"):
            block = {**block, "block_id": f"b{index}"}
        filled.append(block)
    return filled
