"""Scoring arithmetic shared by the evaluations: accuracy, count errors, confusion, P/R/F1."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

# re-exported: the evaluations measure distances with the gazetteer's formula
from marsad.geo import EARTH_RADIUS_KM as EARTH_RADIUS_KM
from marsad.geo import haversine_km as haversine_km


def share(part: int, whole: int) -> float | None:
    """``part / whole``, or None when there is nothing to divide by (never a fake 0 or 1)."""
    return part / whole if whole else None


@dataclass(slots=True)
class Accuracy:
    """Share of items where the system's value equals the reference value."""

    correct: int = 0
    total: int = 0

    def add(self, ok: bool) -> None:
        self.total += 1
        self.correct += int(ok)

    @property
    def value(self) -> float | None:
        return share(self.correct, self.total)

    def to_dict(self) -> dict[str, Any]:
        return {"correct": self.correct, "total": self.total, "accuracy": self.value}


@dataclass(slots=True)
class CountScore:
    """Exact-match share and mean absolute error of predicted vs reference counts."""

    exact: int = 0
    total: int = 0
    abs_error_sum: int = 0

    def add(self, predicted: int, reference: int) -> None:
        self.total += 1
        self.exact += int(predicted == reference)
        self.abs_error_sum += abs(predicted - reference)

    @property
    def exact_share(self) -> float | None:
        return share(self.exact, self.total)

    @property
    def mae(self) -> float | None:
        return self.abs_error_sum / self.total if self.total else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "exact": self.exact,
            "total": self.total,
            "exact_match": self.exact_share,
            "mae": self.mae,
        }


@dataclass(slots=True)
class Confusion:
    """Reference x predicted label counts."""

    cells: Counter[tuple[str, str]] = field(default_factory=Counter)

    def add(self, reference: str, predicted: str) -> None:
        self.cells[(reference, predicted)] += 1

    def labels(self) -> list[str]:
        """Every label seen, most frequent reference label first."""
        totals: Counter[str] = Counter()
        for (ref, pred), n in self.cells.items():
            totals[ref] += n
            totals[pred] += 0
        return [label for label, _ in sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))]

    def to_dict(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        for (ref, pred), n in sorted(self.cells.items()):
            out.setdefault(ref, {})[pred] = n
        return out


@dataclass(slots=True)
class PRF:
    """Precision, recall and F1 from true positives and the system and reference totals."""

    tp: int = 0
    predicted: int = 0
    reference: int = 0

    def add(self, tp: int, predicted: int, reference: int) -> None:
        self.tp += tp
        self.predicted += predicted
        self.reference += reference

    @property
    def precision(self) -> float | None:
        return share(self.tp, self.predicted)

    @property
    def recall(self) -> float | None:
        return share(self.tp, self.reference)

    @property
    def f1(self) -> float | None:
        p, r = self.precision, self.recall
        if p is None or r is None:
            return None
        return 2 * p * r / (p + r) if p + r else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "tp": self.tp,
            "predicted": self.predicted,
            "reference": self.reference,
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
        }


def multiset_overlap(predicted: list[Any], reference: list[Any]) -> int:
    """How many items the two lists share, counting repeats (bag intersection size)."""
    return sum((Counter(predicted) & Counter(reference)).values())
