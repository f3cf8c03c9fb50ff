"""The report channel by id: a ``#name`` from the config is looked up once with conversations.list.

Slack's file upload (files.completeUploadExternal) shares a file only to a channel id, so a
channel given by name is resolved before the first post.
"""

from __future__ import annotations

from slack_sdk.web.async_client import AsyncWebClient

PAGE_SIZE = 200  # Slack recommends no more than 200 results a page
MAX_PAGES = 100  # 20,000 channels; a workspace with more should give the id


class ChannelNotFound(LookupError):
    """The configured report channel does not exist or the bot cannot see it."""


async def channel_id(client: AsyncWebClient, channel: str) -> str:
    """The id of ``channel`` (an id already, or ``#name``); ``ChannelNotFound`` if unseen."""
    if not channel.startswith("#"):
        return channel
    name = channel[1:]
    cursor: str | None = None
    for _ in range(MAX_PAGES):
        response = await client.conversations_list(
            types="public_channel,private_channel",
            exclude_archived=True,
            limit=PAGE_SIZE,
            cursor=cursor,
        )
        for found in response.get("channels") or []:
            if found.get("name") == name:
                return str(found["id"])
        cursor = (response.get("response_metadata") or {}).get("next_cursor") or None
        if cursor is None:
            break
    raise ChannelNotFound(
        f"Slack channel #{name} was not found or the bot cannot see it (a private channel "
        "needs the bot invited); check slack.report_channel or give the channel id (C…)"
    )
