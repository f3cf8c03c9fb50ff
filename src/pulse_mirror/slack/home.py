"""The App Home: published with ``views.publish`` whenever it is opened or the status changes."""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from pulse_mirror.logs import failure
from pulse_mirror.slack.blocks import home_view
from pulse_mirror.surveys.employees import HomeState

log = logging.getLogger(__name__)


async def publish_home(
    client: AsyncWebClient, *, user_id: str, home: HomeState, organisation: str
) -> bool:
    """Show ``home`` on ``user_id``'s App Home tab; False (logged) if Slack refused it."""
    try:
        await client.views_publish(user_id=user_id, view=home_view(home, organisation=organisation))
    except (SlackApiError, OSError, TimeoutError) as error:
        log.warning("could not publish the App Home", extra={"error": failure(error)})
        return False
    return True
