"""Customer use cases: consent, segments, stop and resume, my data, deletion, comment waits."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from pulse_mirror.storage.repository import SqlRepository
from pulse_mirror.surveys.customers import Customers, CustomerSettings, Welcome
from pulse_mirror.surveys.model import IsoWeek, PersonStatus, Side
from pulse_mirror.surveys.records import DeliveryKind, DeliveryStatus, NewDelivery
from tests.fakes import FakeClock
from tests.reads import claim_due

NOW = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
SETTINGS = CustomerSettings(
    organisation="Acme",
    default_language="de",
    segments={"retail": "Retail", "b2b": "Business"},
    default_segment="general",
    comment_wait=dt.timedelta(minutes=10),
)


def _customers(repository: SqlRepository, clock: FakeClock | None = None) -> Customers:
    return Customers(repository=repository, clock=clock or FakeClock(NOW), settings=SETTINGS)


def test_languages_and_segments_fall_back_to_the_config() -> None:
    customers = Customers(repository=None, clock=FakeClock(NOW), settings=SETTINGS)  # type: ignore[arg-type]
    assert customers.language("en-GB") == "en"
    assert customers.language("de") == "de"
    assert customers.language("fr") == "de"
    assert customers.language(None) == "de"
    assert customers.segment("retail") == "Retail"
    assert customers.segment("nope") == "general"
    assert customers.segment(None) == "general"
    assert customers.segment_from_ref(Customers.segment_ref("Business")) == "Business"
    assert customers.segment_from_ref("forged") == "general"


@given(st.text(max_size=200))
def test_a_segment_ref_is_short_and_never_yields_an_unconfigured_segment(name: str) -> None:
    customers = Customers(repository=None, clock=FakeClock(NOW), settings=SETTINGS)  # type: ignore[arg-type]
    ref = Customers.segment_ref(name)
    assert len(ref) == 12
    assert customers.segment_from_ref(ref) in {"Retail", "Business", "general"}


async def test_start_stores_nothing_and_opt_in_stores_consent(repository: SqlRepository) -> None:
    customers = _customers(repository)
    result = await customers.start(platform_user_id="1", language_code="en", payload="b2b")
    assert result.welcome is Welcome.ASK_CONSENT and result.segment == "Business"
    assert await customers.person("1") is None

    person = await customers.opt_in(
        platform_user_id="1", language_code="en", segment_ref=result.segment_ref
    )
    assert person.group == "Business" and person.consent_at == NOW and person.language == "en"
    again = await customers.start(platform_user_id="1", language_code="en", payload=None)
    assert again.welcome is Welcome.ALREADY_ACTIVE


async def test_stop_cancels_pending_and_start_resumes(repository: SqlRepository) -> None:
    customers = _customers(repository)
    person = await customers.opt_in(platform_user_id="2", language_code="de", segment_ref="x")
    pulse = await repository.get_or_create_pulse(
        week=IsoWeek(2026, 48), side=Side.CUSTOMER, items=("recommend.customer",),
        opens_at=NOW, closes_at=NOW + dt.timedelta(days=7),
    )  # fmt: skip
    await repository.enqueue([NewDelivery(pulse.id, person.id, DeliveryKind.QUESTION, NOW)])

    assert await customers.stop("2")
    stopped = await customers.person("2")
    assert stopped is not None and stopped.status is PersonStatus.OPTED_OUT
    assert (await repository.count_by_status())[DeliveryStatus.CANCELLED] == 1
    assert await claim_due(repository, now=NOW, limit=10, worker="w") == []

    result = await customers.start(platform_user_id="2", language_code="de", payload=None)
    assert result.welcome is Welcome.RESUMED
    resumed = await customers.person("2")
    assert resumed is not None and resumed.status is PersonStatus.ACTIVE
    assert not await customers.stop("unknown")


async def test_blocked_customers_are_never_active(repository: SqlRepository) -> None:
    customers = _customers(repository)
    await customers.opt_in(platform_user_id="3", language_code="de", segment_ref="x")
    assert await customers.blocked("3")
    assert await repository.active_people(Side.CUSTOMER, now=NOW) == []


async def test_my_data_and_delete(repository: SqlRepository) -> None:
    customers = _customers(repository)
    assert await customers.my_data("4") is None
    assert not await customers.delete("4")
    await customers.opt_in(platform_user_id="4", language_code="de", segment_ref="x")
    data = await customers.my_data("4")
    assert data is not None and data["person"]["platform_user_id"] == "4"  # type: ignore[index]
    assert await customers.delete("4")
    assert await customers.person("4") is None
    assert await customers.my_data("4") is None


async def _delivered(repository: SqlRepository, person_id: int) -> str:
    pulse = await repository.get_or_create_pulse(
        week=IsoWeek(2026, 48), side=Side.CUSTOMER, items=("recommend.customer",),
        opens_at=NOW, closes_at=NOW + dt.timedelta(days=7),
    )  # fmt: skip
    new = NewDelivery(pulse.id, person_id, DeliveryKind.QUESTION, NOW)
    await repository.enqueue([new])
    [claimed] = await claim_due(repository, now=NOW, limit=10, worker="w")
    return claimed.token


async def test_a_comment_is_awaited_until_given_or_expired(repository: SqlRepository) -> None:
    clock = FakeClock(NOW)
    customers = _customers(repository, clock)
    person = await customers.opt_in(platform_user_id="5", language_code="de", segment_ref="x")
    token = await _delivered(repository, person.id)
    assert await customers.awaited_comment("5") is None
    assert await customers.await_comment("5", token)
    assert await customers.awaited_comment("5") == token
    await customers.comment_done("5", token)
    assert await customers.awaited_comment("5") is None
    assert await customers.await_comment("5", token)
    clock.current += dt.timedelta(minutes=11)
    assert await customers.awaited_comment("5") is None


async def test_a_comment_wait_is_stored_not_held_by_the_instance(repository: SqlRepository) -> None:
    clock = FakeClock(NOW)
    person = await _customers(repository, clock).opt_in(
        platform_user_id="6", language_code="de", segment_ref="x"
    )
    token = await _delivered(repository, person.id)
    assert await _customers(repository, clock).await_comment("6", token)

    restarted = _customers(repository, clock)  # a new process, or another replica
    assert await restarted.awaited_comment("6") == token
    await restarted.comment_done("6", "SomeOtherToken")  # a different message: still awaited
    assert await restarted.awaited_comment("6") == token


async def test_only_the_recipient_of_a_message_may_comment_on_it(
    repository: SqlRepository,
) -> None:
    customers = _customers(repository)
    owner = await customers.opt_in(platform_user_id="7", language_code="de", segment_ref="x")
    await customers.opt_in(platform_user_id="8", language_code="de", segment_ref="x")
    token = await _delivered(repository, owner.id)

    assert not await customers.await_comment("8", token)  # someone else's message
    assert not await customers.await_comment("9", token)  # not a customer at all
    assert not await customers.await_comment("7", "UnknownToken123")
    assert await customers.awaited_comment("8") is None
    assert await customers.awaited_comment("9") is None


async def test_stop_and_delete_end_the_comment_wait(repository: SqlRepository) -> None:
    customers = _customers(repository)
    person = await customers.opt_in(platform_user_id="10", language_code="de", segment_ref="x")
    token = await _delivered(repository, person.id)

    assert await customers.await_comment("10", token)
    assert await customers.stop("10")
    assert await customers.awaited_comment("10") is None

    assert await customers.await_comment("10", token)
    data = await customers.my_data("10")
    assert data is not None
    assert data["comment_awaited"] == [
        {"week": "2026-W48", "kind": "question", "until": (NOW + SETTINGS.comment_wait).isoformat()}
    ]
    assert await customers.delete("10")
    assert await customers.awaited_comment("10") is None
