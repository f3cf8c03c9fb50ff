"""The anonymity policy: its defaults, its floor, and the comment minimum."""

from __future__ import annotations

import dataclasses

import pytest

from pulse_mirror.surveys.anonymity import Anonymity, Suppressed


def test_defaults_are_five_answers_and_seven_commenters() -> None:
    policy = Anonymity()
    assert policy.min_respondents == 5
    assert policy.min_commenters == 7


def test_comment_minimum_follows_the_answer_minimum_by_default() -> None:
    assert Anonymity(3).min_commenters == 5
    assert Anonymity(10).min_commenters == 12


def test_an_explicit_comment_minimum_may_equal_the_answer_minimum() -> None:
    assert Anonymity(4, min_commenters=4).min_commenters == 4


@pytest.mark.parametrize("k", [2, 1, 0, -5])
def test_the_threshold_is_never_below_three(k: int) -> None:
    with pytest.raises(ValueError, match="at least 3"):
        Anonymity(k)


def test_comments_never_need_fewer_people_than_numbers() -> None:
    with pytest.raises(ValueError, match=r"min_commenters \(4\) must be at least"):
        Anonymity(5, min_commenters=4)


def test_non_integer_thresholds_are_refused() -> None:
    with pytest.raises(TypeError):
        Anonymity(True)
    with pytest.raises(TypeError):
        Anonymity(5.5)  # type: ignore[arg-type]


def test_the_policy_cannot_be_weakened_after_creation() -> None:
    policy = Anonymity()
    with pytest.raises(dataclasses.FrozenInstanceError):
        policy.min_respondents = 1  # type: ignore[misc]


def test_check_suppresses_below_k_only() -> None:
    policy = Anonymity(5)
    assert policy.check(0) == Suppressed(0, 5)
    assert policy.check(4) == Suppressed(4, 5)
    assert policy.check(5) is None
    assert policy.check(500) is None
    with pytest.raises(ValueError, match="negative"):
        policy.check(-1)


def test_comments_are_shown_only_from_enough_distinct_people() -> None:
    policy = Anonymity(5, min_commenters=8)
    assert not policy.comments_visible(0)
    assert not policy.comments_visible(7)
    assert policy.comments_visible(8)
    assert policy.check_comments(6) == Suppressed(6, 8)
    assert policy.check_comments(9) is None
    with pytest.raises(ValueError, match="negative"):
        policy.comments_visible(-2)


def test_suppressed_says_so_in_english_and_german() -> None:
    assert Suppressed(2, 5).text_in("en") == "fewer than 5 answers"
    assert Suppressed(2, 5).text_in("de") == "weniger als 5 Antworten"
    assert Suppressed(0, 7).text_in("fr") == "fewer than 7 answers"
