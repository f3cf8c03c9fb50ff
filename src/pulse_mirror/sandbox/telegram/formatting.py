"""Telegram's parse modes: what the person sees, and the parse errors for bad markup."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from pulse_mirror.sandbox.telegram.envelope import bad_request

HTML_TAGS = frozenset(
    {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre", "span",
     "tg-spoiler", "tg-emoji", "blockquote"}
)  # fmt: skip
# MarkdownV2 characters that are never markup and so must always be escaped.
ALWAYS_ESCAPED = re.compile(r"(?<!\\)[.!\-=+#{}]")


class _HtmlText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in HTML_TAGS:
            raise bad_request(f'can\'t parse entities: Unsupported start tag "{tag}"')
        self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open[-1] != tag:
            raise bad_request(f'can\'t parse entities: Unexpected end tag "{tag}"')
        self.open.pop()

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def visible_text(text: str, parse_mode: str | None) -> str:
    """The text as the person sees it; raises Telegram's 400 for markup it cannot parse."""
    mode = (parse_mode or "").lower()
    if mode == "html":
        parser = _HtmlText()
        parser.feed(text)
        parser.close()
        if parser.open:
            raise bad_request(
                "can't parse entities: Can't find end tag corresponding to start tag "
                f'"{parser.open[-1]}"'
            )
        return "".join(parser.parts)
    if mode == "markdownv2":
        found = ALWAYS_ESCAPED.search(text)
        if found:
            raise bad_request(
                f"can't parse entities: Character '{found.group()}' is reserved and must be "
                "escaped with the preceding '\\'"
            )
        return re.sub(r"\\(.)", r"\1", re.sub(r"(?<!\\)[*_~`|]", "", text))
    return text
