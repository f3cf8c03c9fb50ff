"""Use cases of a person answering a pulse: what a click, a skip or a comment does.

Adapters call these with what the platform told them and render the ``Reply``; every rule
(whose button it is, whether the window is open, what is on the scale) is decided here.
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass, replace

from pulse_mirror.surveys.bank import QuestionBank
from pulse_mirror.surveys.conversation import ChoiceError, PulseState, check_choice
from pulse_mirror.surveys.model import Item, Side
from pulse_mirror.surveys.ports import Clock
from pulse_mirror.surveys.records import AnswerOutcome, DeliveryRecord, PersonRecord
from pulse_mirror.surveys.stores import Answers
from pulse_mirror.surveys.texts import text

log = logging.getLogger(__name__)


class Outcome(enum.StrEnum):
    """What happened to a person's click, as the adapter reports it back."""

    RECORDED = "recorded"
    CHANGED = "changed"
    UNCHANGED = "unchanged"
    SKIPPED = "skipped"
    COMMENTED = "commented"
    CLOSED = "closed"
    INVALID = "invalid"
    NOT_YOURS = "not_yours"
    TOO_LONG = "too_long"
    EMPTY = "empty"
    STORE_FAILED = "store_failed"

    @property
    def stored(self) -> bool:
        """Whether the person's input is durably stored (or already was)."""
        return self in _STORED


_STORED = {Outcome.RECORDED, Outcome.CHANGED, Outcome.UNCHANGED, Outcome.SKIPPED, Outcome.COMMENTED}


@dataclass(frozen=True)
class Reply:
    """The result of a click: the outcome, the pulse as it now stands, a line for the person."""

    outcome: Outcome
    state: PulseState | None
    notice: str


@dataclass(frozen=True)
class AnswerSettings:
    """What the answer use cases need from the config."""

    comment_max_chars: int = 1000
    default_language: str = "en"


class PulseAnswers:
    """Clicks, skips and comments on delivered pulses."""

    def __init__(
        self,
        *,
        repository: Answers,
        bank: QuestionBank,
        clock: Clock,
        settings: AnswerSettings | None = None,
    ) -> None:
        self._repo = repository
        self._bank = bank
        self._clock = clock
        self._settings = settings or AnswerSettings()

    async def state(self, token: str) -> PulseState | None:
        """The pulse behind a button token as the person now sees it; None if unknown."""
        found = await self._context(token)
        return None if found is None else found[2]

    async def choose(
        self,
        *,
        token: str,
        index: int,
        value: int,
        platform_user_id: str,
        acted_at: float | None = None,
    ) -> Reply:
        """Record ``value`` for question ``index`` of the pulse behind ``token``.

        ``acted_at`` is when the click was made, as the platform signed it: a click older
        than the one that set the stored value (a replayed request) changes nothing.
        """
        found = await self._read(token)
        if isinstance(found, Reply):
            return found
        refusal = self._refusal(found, platform_user_id)
        if refusal is not None:
            return refusal
        assert found is not None
        _, _, state = found
        try:
            item = check_choice(state, index=index, value=value)
        except ChoiceError:
            return self._reply(Outcome.INVALID, state)
        try:
            stored = await self._repo.record_answer(
                token=token, item=item.key, value=value, now=self._clock.now(), acted_at=acted_at
            )
        except Exception:
            log.exception("could not store an answer", extra={"item": item.key})
            return self._reply(Outcome.STORE_FAILED, state)
        if stored is AnswerOutcome.STALE:  # what is stored stays, and is what the person sees
            return self._reply(Outcome.UNCHANGED, state, value=state.answers.get(index))
        outcome = _FROM_STORE.get(stored, Outcome.INVALID)
        if outcome is Outcome.CLOSED:
            return self._reply(outcome, state)
        new_state = state.with_answer(index, value) if outcome.stored else state
        return self._reply(outcome, new_state, value=value)

    async def skip(self, *, token: str, index: int, platform_user_id: str) -> Reply:
        """Skip question ``index``; an answer already given stays."""
        found = await self._read(token)
        if isinstance(found, Reply):
            return found
        refusal = self._refusal(found, platform_user_id)
        if refusal is not None:
            return refusal
        assert found is not None
        _, _, state = found
        if not 0 <= index < state.total:
            return self._reply(Outcome.INVALID, state)
        if index in state.answers:
            return self._reply(Outcome.UNCHANGED, state, value=state.answers[index])
        try:
            stored = await self._repo.record_skip(
                token=token, item=state.items[index].key, now=self._clock.now()
            )
        except Exception:
            log.exception("could not store a skip")
            return self._reply(Outcome.STORE_FAILED, state)
        if stored is AnswerOutcome.CLOSED:  # the window closed since the context was read
            return self._reply(Outcome.CLOSED, state)
        if stored not in (AnswerOutcome.RECORDED, AnswerOutcome.UNCHANGED):
            return self._reply(Outcome.INVALID, state)
        return self._reply(Outcome.SKIPPED, state.with_skip(index))

    async def comment(self, *, token: str, body: str, platform_user_id: str) -> Reply:
        """Store a free-text comment for the pulse behind ``token``."""
        found = await self._read(token)
        if isinstance(found, Reply):
            return found
        refusal = self._refusal(found, platform_user_id)
        if refusal is not None:
            return refusal
        assert found is not None
        _, _, state = found
        cleaned = body.strip()
        limit = self._settings.comment_max_chars
        if not cleaned:
            return self._reply(Outcome.EMPTY, state)
        if len(cleaned) > limit:
            return Reply(
                Outcome.TOO_LONG,
                state,
                text("comment.too_long", state.lang, length=len(cleaned), limit=limit),
            )
        item = state.comment_item
        if item is None:
            return self._reply(Outcome.INVALID, state)
        try:
            stored = await self._repo.record_comment(
                token=token, item=item.key, text=cleaned, now=self._clock.now()
            )
        except Exception:
            log.exception("could not store a comment")
            return self._reply(Outcome.STORE_FAILED, state)
        if stored is AnswerOutcome.CLOSED:
            return self._reply(Outcome.CLOSED, state)
        if stored not in (AnswerOutcome.RECORDED, AnswerOutcome.CHANGED, AnswerOutcome.UNCHANGED):
            return self._reply(Outcome.INVALID, state)
        return self._reply(Outcome.COMMENTED, _commented(state))

    def comment_item(self, side: Side) -> Item | None:
        """The open-comment item a side is offered when its pulse names none."""
        items = self._bank.text_items(side)
        return items[0] if items else None

    async def _read(
        self, token: str
    ) -> tuple[DeliveryRecord, PersonRecord, PulseState] | Reply | None:
        """The click's context, or a "try again" reply when the database cannot be read."""
        try:
            return await self._context(token)
        except Exception:
            log.exception("could not read a click's context")
            lang = self._settings.default_language
            return Reply(Outcome.STORE_FAILED, None, text("try_again", lang))

    async def _context(self, token: str) -> tuple[DeliveryRecord, PersonRecord, PulseState] | None:
        found = await self._repo.click_context(token)
        if found is None:
            return None
        pulse, person = found.pulse, found.person
        try:
            asked = tuple(self._bank.item(key) for key in pulse.items)
        except KeyError:
            log.warning("pulse asks an item the bank no longer has", extra={"pulse": pulse.id})
            return None
        items = tuple(item for item in asked if not item.is_text)
        comment = next((item for item in asked if item.is_text), None) or self.comment_item(
            pulse.side
        )
        given = found.given
        answers = {i: given[it.key] for i, it in enumerate(items) if given.get(it.key) is not None}
        skipped = frozenset(
            i for i, it in enumerate(items) if it.key in given and given[it.key] is None
        )
        state = PulseState(
            token=token,
            side=pulse.side,
            lang=person.language or self._settings.default_language,
            items=items,
            closes_at=pulse.closes_at,
            answers={i: v for i, v in answers.items() if v is not None},
            skipped=skipped,
            commented=comment is not None and comment.key in given,
            comment_item=comment,
        )
        return found.delivery, person, state

    def _refusal(
        self,
        found: tuple[DeliveryRecord, PersonRecord, PulseState] | None,
        platform_user_id: str,
    ) -> Reply | None:
        if found is None:
            return Reply(Outcome.INVALID, None, text("invalid", self._settings.default_language))
        _, person, state = found
        if person.platform_user_id != platform_user_id:
            return Reply(Outcome.NOT_YOURS, None, text("not_yours", state.lang))
        if not state.is_open(self._clock.now()):
            return self._reply(Outcome.CLOSED, state)
        return None

    def _reply(self, outcome: Outcome, state: PulseState, *, value: int | None = None) -> Reply:
        return Reply(outcome, state, _notice(outcome, state.lang, value))


_FROM_STORE = {
    AnswerOutcome.RECORDED: Outcome.RECORDED,
    AnswerOutcome.CHANGED: Outcome.CHANGED,
    AnswerOutcome.UNCHANGED: Outcome.UNCHANGED,
    AnswerOutcome.CLOSED: Outcome.CLOSED,
}

_NOTICE_KEYS = {
    Outcome.CLOSED: "closed",
    Outcome.INVALID: "invalid",
    Outcome.NOT_YOURS: "not_yours",
    Outcome.STORE_FAILED: "try_again",
    Outcome.SKIPPED: "answer.skipped",
    Outcome.COMMENTED: "comment.saved",
    Outcome.EMPTY: "comment.empty",
}


def _notice(outcome: Outcome, lang: str, value: int | None) -> str:
    if outcome in (Outcome.RECORDED, Outcome.CHANGED, Outcome.UNCHANGED) and value is not None:
        return text("answer.recorded", lang, value=value)
    key = _NOTICE_KEYS.get(outcome)
    return text(key, lang) if key else ""


def _commented(state: PulseState) -> PulseState:
    return replace(state, commented=True)
