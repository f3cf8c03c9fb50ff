"""Ending a week's answer windows before their planned close (``pulse close-window``).

Only the close time moves here: the close itself (ballots deleted, pending questions
cancelled, reminders dropped, the week's employee answers reshuffled) is the same one the
close job makes when a window runs out, run at once. From then on the week takes no answer,
so its figures are final: a report of it can be posted, and nothing posted later can differ
from it by one person's answer.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from pulse_mirror.storage.answers.recording import AnswerStore
from pulse_mirror.storage.store import week_text
from pulse_mirror.storage.tables import pulse
from pulse_mirror.surveys.model import IsoWeek, Side


@dataclass(frozen=True)
class EndedWindow:
    """A side's window of the week that was open, and when it was planned to close."""

    side: Side
    planned_close: dt.datetime


async def end_week_windows(
    engine: AsyncEngine, *, week: IsoWeek, now: dt.datetime
) -> list[EndedWindow]:
    """Close every window of ``week`` still open at ``now``; return those that were open.

    A window already closed, or one whose close is past, is left as it is (the close job
    closes the latter with its planned time). Running it again ends nothing more.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    open_now = sa.and_(
        pulse.c.week == week_text(week), pulse.c.closes_at > now, pulse.c.window_closed.is_(False)
    )
    async with engine.begin() as connection:
        rows = (
            await connection.execute(
                sa.select(pulse.c.side, pulse.c.closes_at).where(open_now).order_by(pulse.c.side)
            )
        ).all()
        await connection.execute(sa.update(pulse).where(open_now).values(closes_at=now))
    await AnswerStore(engine).close_due_windows(now)
    return [EndedWindow(Side(side), closes_at) for side, closes_at in rows]
