"""One-line formulas (English and German) to print beside every number a person sees."""

from __future__ import annotations

import enum
from collections.abc import Mapping

from pulse_mirror.surveys.model import Metric


class Verdict(enum.StrEnum):
    """Whether a difference is worth talking about."""

    REAL = "real"  # the 95% interval excludes 0
    NOISE = "noise"  # the 95% interval includes 0
    NOT_ENOUGH = "not_enough"  # a side has fewer answers than the anonymity threshold


class Comparison(enum.StrEnum):
    """What a difference of two estimates compares."""

    GAP = "gap"  # inside (employees) - outside (customers), same week
    CHANGE = "change"  # this week - last week, same side


_METRIC: Mapping[Metric, Mapping[str, str]] = {
    Metric.NPS: {
        "en": "NPS = % 9–10 − % 0–6 (−100 to 100), 95% adjusted-Wald interval "
        "(n + 3, promoters and detractors + 0.75 each)",
        "de": "NPS = % 9–10 − % 0–6 (−100 bis 100), 95-%-Intervall nach adjustiertem Wald "
        "(n + 3, Promotoren und Detraktoren je + 0,75)",
    },
    Metric.CSAT: {
        "en": "CSAT = % of answers 4–5 on 1–5 (top-2-box), 95% Wilson interval",
        "de": "CSAT = % der Antworten 4–5 auf 1–5 (Top-2-Box), 95-%-Wilson-Intervall",
    },
    Metric.MEAN: {
        "en": "Mean of the answers, 95% Student-t interval (mean ± t(n − 1) × s / √n)",
        "de": "Mittelwert der Antworten, 95-%-Student-t-Intervall (Mittelwert ± t(n − 1) × s / √n)",
    },
    Metric.AGREEMENT: {
        "en": "% favourable = % of answers 4–5 on 1–5, 95% Wilson interval; "
        "mean with 95% t interval",
        "de": "% Zustimmung = % der Antworten 4–5 auf 1–5, 95-%-Wilson-Intervall; "
        "Mittelwert mit 95-%-t-Intervall",
    },
}

_NORMALISED: Mapping[str, str] = {
    "en": "0–100 score = (mean − min) / (max − min) × 100, interval mapped the same way",
    "de": "0–100-Wert = (Mittelwert − Min) / (Max − Min) × 100, Intervall ebenso umgerechnet",
}

_COMPARISON: Mapping[Comparison, Mapping[str, str]] = {
    Comparison.GAP: {
        "en": "Gap = inside − outside on 0–100, 95% interval ± t(Welch df) × √(SE₁² + SE₂²), "
        "never narrower than either side's; real if it excludes 0",
        "de": "Lücke = Innen- − Außensicht auf 0–100, 95-%-Intervall ± t(Welch-FG) × "
        "√(SE₁² + SE₂²), nie schmaler als das einer Seite; echt, wenn es 0 ausschließt",
    },
    Comparison.CHANGE: {
        "en": "Change = this week − last week on 0–100, 95% interval ± t(Welch df) × "
        "√(SE₁² + SE₂²), never narrower than either week's; real if it excludes 0",
        "de": "Veränderung = diese − letzte Woche auf 0–100, 95-%-Intervall ± t(Welch-FG) × "
        "√(SE₁² + SE₂²), nie schmaler als das einer Woche; echt, wenn es 0 ausschließt",
    },
}


def _pick(texts: Mapping[str, str], lang: str) -> str:
    return texts.get(lang) or texts["en"]


def method_text(metric: Metric, lang: str = "en") -> str:
    """The formula behind a metric's own value, in ``lang`` (English fallback)."""
    if metric not in _METRIC:
        raise ValueError(f"{metric.value} items have no numeric method")
    return _pick(_METRIC[metric], lang)


def normalised_method_text(lang: str = "en") -> str:
    """The formula behind the 0-100 normalised score."""
    return _pick(_NORMALISED, lang)


def comparison_method_text(comparison: Comparison, lang: str = "en") -> str:
    """The formula behind a perception gap or a week-on-week change."""
    return _pick(_COMPARISON[comparison], lang)
