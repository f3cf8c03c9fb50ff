"""The anonymity threshold: the one place that decides whether a group may be shown.

No number, bar, breakdown or comment from fewer than k people is ever shown. Every public
summary in :mod:`~pulse_mirror.surveys.stats.metrics` requires an :class:`Anonymity` policy
and returns :class:`Suppressed` instead of a number below it, so no caller can forget the rule.
"""

from __future__ import annotations

from dataclasses import dataclass, field

LOWEST_MIN_RESPONDENTS = 3
DEFAULT_MIN_RESPONDENTS = 5
# Free text is more identifying than a click: wording, topic and timing can point to one
# person. So comments need this many more people than numbers unless configured otherwise.
COMMENT_MARGIN = 2

_FEWER_THAN = {
    "en": "fewer than {k} answers",
    "de": "weniger als {k} Antworten",
}


@dataclass(frozen=True)
class Suppressed:
    """A group too small to show: ``n`` answers, ``k`` needed. Carries no value at all."""

    n: int = field(repr=False)  # kept for tests and logs of the suppression, never shown
    k: int

    def text_in(self, lang: str) -> str:
        """What to show instead of the number, e.g. "fewer than 5 answers"."""
        return (_FEWER_THAN.get(lang) or _FEWER_THAN["en"]).format(k=self.k)


@dataclass(frozen=True)
class Anonymity:
    """The anonymity policy.

    Attributes:
        min_respondents: k, the fewest answers any number may be computed from; default 5,
            never below 3.
        min_commenters: the fewest distinct people whose comments may be shown; default
            ``min_respondents + 2``, never below ``min_respondents``.
    """

    min_respondents: int = DEFAULT_MIN_RESPONDENTS
    min_commenters: int = field(default=-1)

    def __post_init__(self) -> None:
        if isinstance(self.min_respondents, bool) or not isinstance(self.min_respondents, int):
            raise TypeError(f"min_respondents must be a whole number, not {self.min_respondents!r}")
        if self.min_respondents < LOWEST_MIN_RESPONDENTS:
            raise ValueError(
                f"min_respondents must be at least {LOWEST_MIN_RESPONDENTS}, "
                f"not {self.min_respondents}"
            )
        if self.min_commenters == -1:
            object.__setattr__(self, "min_commenters", self.min_respondents + COMMENT_MARGIN)
        if isinstance(self.min_commenters, bool) or not isinstance(self.min_commenters, int):
            raise TypeError(f"min_commenters must be a whole number, not {self.min_commenters!r}")
        if self.min_commenters < self.min_respondents:
            raise ValueError(
                f"min_commenters ({self.min_commenters}) must be at least "
                f"min_respondents ({self.min_respondents})"
            )

    def check(self, n: int) -> Suppressed | None:
        """``Suppressed(n, k)`` when ``n`` answers are too few to show, else None."""
        if n < 0:
            raise ValueError(f"a count of answers cannot be negative, not {n}")
        return Suppressed(n, self.min_respondents) if n < self.min_respondents else None

    def check_comments(self, n_people: int) -> Suppressed | None:
        """``Suppressed`` when comments from ``n_people`` distinct people may not be shown."""
        if n_people < 0:
            raise ValueError(f"a count of people cannot be negative, not {n_people}")
        if n_people < self.min_commenters:
            return Suppressed(n_people, self.min_commenters)
        return None

    def comments_visible(self, n_people: int) -> bool:
        """Whether comments written by ``n_people`` distinct people may be shown."""
        return self.check_comments(n_people) is None
