"""What the simulated people think: the latent views behind every answer, and the plot.

Views are on 0-100 (the report's normalised scale). Employees predict the customers'
answer; they believe the company is much easier to deal with than customers find it
(effort) and that customers would recommend it more readily (recommend): real gaps.
Acting on feedback, satisfaction, centricity and being treated as a person differ by a few
points only: noise, so the week that asks effort shows a real gap beside a noisy one. In
the improvement week a fix lands: customers find it easier from then on; employees, who
already thought it easy, do not change their view.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from pulse_mirror.surveys.model import Item, Side

# dimension -> (customers' view, employees' prediction), 0-100
VIEWS: dict[str, tuple[float, float]] = {
    "effort": (42.0, 80.0),
    "listening": (60.0, 64.0),
    "recommend": (62.0, 80.0),
    "satisfaction": (69.0, 72.0),
    "centricity": (61.0, 64.0),
    "personal": (63.0, 65.0),
}
# employee-only dimensions -> view
OWN_VIEWS: dict[str, float] = {"enps": 70.0, "internal_service": 55.0, "understanding": 72.0}
IMPROVED = "effort"
IMPROVEMENT = 20.0  # points the customers' view of effort rises once the fix lands
NOISE = 14.0  # spread of one answer around the person's view

COMMENTS: dict[str, dict[Side, tuple[str, ...]]] = {
    "en": {
        Side.EMPLOYEE: (
            "Fewer hand-offs between teams when a customer calls.",
            "Customers should not need to explain their issue twice.",
            "Give support access to the order history.",
            "Share what customers tell us with engineering every week.",
            "Answer e-mails within one day.",
        ),
        Side.CUSTOMER: (
            "Please give me one person to talk to.",
            "Tracking updates come too late.",
            "The new returns page is much easier.",
            "I had to call three times for one problem.",
            "Friendly people, slow answers.",
        ),
    },
    "de": {
        Side.EMPLOYEE: (
            "Weniger Übergaben zwischen Teams, wenn ein Kunde anruft.",
            "Kunden sollten ihr Anliegen nicht zweimal erklären müssen.",
            "Der Support braucht Zugriff auf die Bestellhistorie.",
            "Jede Woche mit der Entwicklung teilen, was Kunden sagen.",
            "E-Mails innerhalb eines Tages beantworten.",
        ),
        Side.CUSTOMER: (
            "Bitte eine feste Ansprechperson.",
            "Sendungsupdates kommen zu spät.",
            "Die neue Retourenseite ist viel einfacher.",
            "Ich musste für ein Problem dreimal anrufen.",
            "Freundliche Leute, langsame Antworten.",
        ),
    },
}


@dataclass(frozen=True)
class Story:
    """The plot: views per dimension and the week an improvement lands."""

    improvement_week: int

    def view(self, item: Item, *, week: int) -> float:
        """The average view behind ``item`` in week ``week`` (0-based), on 0-100."""
        if item.dimension in OWN_VIEWS:
            return OWN_VIEWS[item.dimension]
        outside, inside = VIEWS.get(item.dimension, (60.0, 60.0))
        if item.side is Side.EMPLOYEE:
            return inside
        if item.dimension == IMPROVED and week >= self.improvement_week:
            return outside + IMPROVEMENT
        return outside

    def value(self, item: Item, *, week: int, offset: float, rng: random.Random) -> int:
        """One person's answer to ``item``: their view plus noise, on the item's scale."""
        assert item.scale is not None
        low, high = item.scale.low, item.scale.high
        score = self.view(item, week=week) + offset + rng.gauss(0.0, NOISE)
        share = min(max(score / 100.0, 0.0), 1.0)
        return round(low + share * (high - low))

    @staticmethod
    def comment(side: Side, *, lang: str, rng: random.Random) -> str:
        """A comment a person of ``side`` might write."""
        texts = COMMENTS.get(lang, COMMENTS["en"])[side]
        return rng.choice(texts)
