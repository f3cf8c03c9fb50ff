"""Use cases of a customer: opt in, stop, resume, see their data, delete it, write a comment.

Adapters call these with what the platform told them (a user id, a language code, a deep-link
payload) and render the result; every rule about consent and customer rights lives here.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field

from pulse_mirror.surveys.model import LANGUAGES, PersonStatus, Platform, Side
from pulse_mirror.surveys.ports import Clock
from pulse_mirror.surveys.records import PersonRecord
from pulse_mirror.surveys.stores import CustomerStore

log = logging.getLogger(__name__)

_REF_CHARS = 12


@dataclass(frozen=True)
class CustomerSettings:
    """What the customer use cases need from the config."""

    organisation: str = "Our company"
    time_zone: str = "UTC"
    default_language: str = "en"
    min_days_between: int = 28
    segments: Mapping[str, str] = field(default_factory=dict)  # deep-link payload -> segment
    default_segment: str = "general"
    comment_max_chars: int = 1000
    comment_wait: dt.timedelta = dt.timedelta(minutes=30)


class Welcome(enum.StrEnum):
    """What ``/start`` found."""

    ASK_CONSENT = "ask_consent"  # not a participant: ask before storing anything
    RESUMED = "resumed"  # had stopped (or blocked the bot) and is asked again from now on
    ALREADY_ACTIVE = "already_active"


@dataclass(frozen=True)
class StartResult:
    """The answer to ``/start``: what happened, in which language, for which segment."""

    welcome: Welcome
    lang: str
    segment: str
    segment_ref: str


class Customers:
    """Consent and the rights of customers reached on one platform."""

    def __init__(
        self,
        *,
        repository: CustomerStore,
        clock: Clock,
        settings: CustomerSettings | None = None,
        platform: Platform = Platform.TELEGRAM,
    ) -> None:
        self._repo = repository
        self._clock = clock
        self.settings = settings or CustomerSettings()
        self._platform = platform

    def language(self, code: str | None) -> str:
        """The language to speak for a platform language code such as ``de-AT``."""
        base = (code or "").split("-")[0].strip().lower()
        return base if base in LANGUAGES else self.settings.default_language

    def segment(self, payload: str | None) -> str:
        """The segment a deep-link payload maps to; an unknown or missing one gives the default."""
        if payload and payload in self.settings.segments:
            return self.settings.segments[payload]
        return self.settings.default_segment

    @staticmethod
    def segment_ref(segment: str) -> str:
        """A short, fixed-size reference to a segment that fits in a button payload."""
        return hashlib.sha256(segment.encode()).hexdigest()[:_REF_CHARS]

    def segment_from_ref(self, ref: str) -> str:
        """The configured segment behind ``ref``; the default segment when none matches."""
        for segment in {*self.settings.segments.values(), self.settings.default_segment}:
            if self.segment_ref(segment) == ref:
                return segment
        return self.settings.default_segment

    async def person(self, platform_user_id: str) -> PersonRecord | None:
        """The customer behind a platform user id, if they ever opted in."""
        found = await self._repo.find_person(
            platform=self._platform, platform_user_id=platform_user_id
        )
        return found if found is not None and found.side is Side.CUSTOMER else None

    async def start(
        self, *, platform_user_id: str, language_code: str | None, payload: str | None
    ) -> StartResult:
        """Handle ``/start``: resume a customer who had stopped, else ask for consent."""
        segment = self.segment(payload)
        known = await self.person(platform_user_id)
        if known is None:
            lang = self.language(language_code)
            return StartResult(Welcome.ASK_CONSENT, lang, segment, self.segment_ref(segment))
        lang = known.language
        if known.status is PersonStatus.ACTIVE:
            welcome = Welcome.ALREADY_ACTIVE
        else:
            await self._repo.set_status(known.id, PersonStatus.ACTIVE)
            welcome = Welcome.RESUMED
            log.info("customer resumed", extra={"person": known.id})
        group = known.group or segment
        return StartResult(welcome, lang, group, self.segment_ref(group))

    async def opt_in(
        self, *, platform_user_id: str, language_code: str | None, segment_ref: str
    ) -> PersonRecord:
        """Store the customer as a participant, with consent given now ("Yes, ask me")."""
        now = self._clock.now()
        known = await self.person(platform_user_id)
        record = await self._repo.upsert_person(
            side=Side.CUSTOMER,
            platform=self._platform,
            platform_user_id=platform_user_id,
            language=known.language if known else self.language(language_code),
            time_zone=known.time_zone if known else self.settings.time_zone,
            group=self.segment_from_ref(segment_ref),
            now=now,
            consent_at=now,
        )
        if record.status is not PersonStatus.ACTIVE:
            await self._repo.set_status(record.id, PersonStatus.ACTIVE)
        log.info("customer opted in", extra={"person": record.id, "segment": record.group})
        return record

    async def stop(self, platform_user_id: str) -> bool:
        """Stop every question at once: opt out and cancel pending messages; False if unknown."""
        return await self._leave(platform_user_id, PersonStatus.OPTED_OUT)

    async def blocked(self, platform_user_id: str) -> bool:
        """The customer blocked the bot: never send to them again; False if unknown."""
        return await self._leave(platform_user_id, PersonStatus.BLOCKED)

    async def _leave(self, platform_user_id: str, status: PersonStatus) -> bool:
        known = await self.person(platform_user_id)
        if known is None:
            return False
        await self._repo.set_status(known.id, status)
        cancelled = await self._repo.cancel_pending(known.id)
        await self._repo.clear_comment_wait(known.id)
        log.info(
            "customer left", extra={"person": known.id, "status": status, "cancelled": cancelled}
        )
        return True

    async def my_data(self, platform_user_id: str) -> dict[str, object] | None:
        """Everything stored about the customer as a JSON-ready document; None if nothing."""
        known = await self.person(platform_user_id)
        return None if known is None else await self._repo.export_customer(known.id)

    async def delete(self, platform_user_id: str) -> bool:
        """Erase the customer, their answers, comments and comment wait; False if none stored."""
        known = await self.person(platform_user_id)
        if known is None:
            return False
        deleted = await self._repo.delete_customer(known.id)
        log.info("customer deleted", extra={"person": known.id, "deleted": deleted})
        return deleted

    async def await_comment(self, platform_user_id: str, token: str) -> bool:
        """Take the customer's next text message as the comment on the message behind ``token``.

        The wait is stored, so it outlives a restart; a newer request replaces it. False (and
        nothing stored) when that message was not sent to this customer.
        """
        known = await self.person(platform_user_id)
        if known is None:
            return False
        message = await self._repo.delivery_by_token(token)
        if message is None or message.person_id != known.id:
            return False
        until = self._clock.now() + self.settings.comment_wait
        await self._repo.set_comment_wait(
            person_id=known.id, delivery_id=message.id, expires_at=until
        )
        return True

    async def awaited_comment(self, platform_user_id: str) -> str | None:
        """The token a text message from this customer comments on, if a comment is awaited."""
        known = await self.person(platform_user_id)
        if known is None:
            return None
        return await self._repo.comment_wait_token(known.id, now=self._clock.now())

    async def comment_done(self, platform_user_id: str, token: str) -> None:
        """Stop waiting for a comment on ``token``'s message from this customer.

        Called once the comment is stored: a failure here is logged, not raised, because the
        customer must hear that it was saved. The wait then simply expires.
        """
        try:
            known = await self.person(platform_user_id)
            if known is not None:
                await self._repo.clear_comment_wait(known.id, token=token)
        except Exception:
            log.exception("could not end a comment wait")
