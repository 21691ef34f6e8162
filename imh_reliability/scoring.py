"""Agreement between a trainee's ratings and the expert reference codes.

Pure functions over plain values, no database: each (clip, item) pair a trainee rated is one
observation of two raters (the trainee and the expert), on the item's ordinal points.

- *Exact agreement*: the share of pairs where the trainee gave the reference point, as a
  percentage.
- *Agreement within one point*: the share of pairs no more than one point from the reference.
- *Weighted kappa* (Cohen's): agreement corrected for chance, crediting near misses. With the
  categories c_1 < ... < c_k (every point value the items use), observed proportions o_ij and
  the proportions expected by chance e_ij = row_i x column_j, and agreement weights
  w_ij = 1 - |i - j| / (k - 1) (linear) or 1 - ((i - j) / (k - 1))^2 (quadratic)::

      kappa = (P_o - P_e) / (1 - P_e),  P_o = sum w_ij o_ij,  P_e = sum w_ij e_ij

  Degenerate case: when P_e = 1 (both raters put every pair in the one same category, or the
  scale has one category) kappa is undefined; this module returns 1.0 when agreement is
  perfect and 0.0 otherwise, so a trainee who matches the expert exactly always passes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

LINEAR = "linear"
QUADRATIC = "quadratic"


@dataclass(frozen=True)
class Pair:
    """One rated (clip, item): the trainee's value and the expert's reference value."""

    clip_id: int
    item_id: int
    rating: int
    reference: int


@dataclass
class Scores:
    exact: Decimal | None
    within_one: Decimal | None
    kappa: Decimal | None
    pairs: int

    def for_metric(self, metric: str) -> Decimal | None:
        return {"exact": self.exact, "within_one": self.within_one, "weighted_kappa": self.kappa}[
            metric
        ]


def _percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def exact_agreement(pairs: Sequence[Pair]) -> Decimal | None:
    """Percentage of pairs rated exactly as the reference (None when nothing was rated)."""
    return _percent(sum(1 for p in pairs if p.rating == p.reference), len(pairs))


def within_one_agreement(pairs: Sequence[Pair]) -> Decimal | None:
    """Percentage of pairs within one point of the reference."""
    return _percent(sum(1 for p in pairs if abs(p.rating - p.reference) <= 1), len(pairs))


def agreement_weight(i: int, j: int, k: int, weights: str = QUADRATIC) -> float:
    """The agreement weight of categories at positions ``i`` and ``j`` (0-based) of ``k``."""
    if k <= 1:
        return 1.0
    distance = abs(i - j) / (k - 1)
    if weights == LINEAR:
        return 1.0 - distance
    if weights == QUADRATIC:
        return 1.0 - distance**2
    raise ValueError(f"Unknown weights {weights!r}.")


def weighted_kappa(
    pairs: Sequence[Pair], *, categories: Iterable[int] | None = None, weights: str = QUADRATIC
) -> float | None:
    """Cohen's weighted kappa of the trainee against the reference (None with no pairs).

    ``categories`` are the ordinal values rated on (the items' points); values seen in the
    pairs are always included.
    """
    if not pairs:
        return None
    values = set(categories or ())
    values.update(p.rating for p in pairs)
    values.update(p.reference for p in pairs)
    order = sorted(values)
    index = {value: position for position, value in enumerate(order)}
    k = len(order)
    n = len(pairs)
    observed = [[0.0] * k for _ in range(k)]
    for pair in pairs:
        observed[index[pair.reference]][index[pair.rating]] += 1 / n
    rows = [sum(observed[i]) for i in range(k)]
    columns = [sum(observed[i][j] for i in range(k)) for j in range(k)]
    p_observed = p_expected = 0.0
    for i in range(k):
        for j in range(k):
            weight = agreement_weight(i, j, k, weights)
            p_observed += weight * observed[i][j]
            p_expected += weight * rows[i] * columns[j]
    if abs(1.0 - p_expected) < 1e-12:
        return 1.0 if abs(1.0 - p_observed) < 1e-12 else 0.0
    return (p_observed - p_expected) / (1.0 - p_expected)


def score(
    pairs: Sequence[Pair], *, categories: Iterable[int] | None = None, weights: str = QUADRATIC
) -> Scores:
    kappa = weighted_kappa(pairs, categories=categories, weights=weights)
    return Scores(
        exact=exact_agreement(pairs),
        within_one=within_one_agreement(pairs),
        kappa=None
        if kappa is None
        else Decimal(str(kappa)).quantize(Decimal("0.0001"), ROUND_HALF_UP),
        pairs=len(pairs),
    )


def passes(value: Decimal | None, pass_mark: Decimal) -> bool:
    """Whether a score reaches the pass mark (a score equal to the mark passes)."""
    return value is not None and value >= pass_mark


# Item-level feedback.


@dataclass
class PointInfo:
    value: int
    label: str
    descriptor: str


@dataclass
class ClipFeedback:
    clip_id: int
    clip_title: str
    rating: PointInfo | None
    reference: PointInfo

    @property
    def agrees(self) -> bool:
        return self.rating is not None and self.rating.value == self.reference.value

    @property
    def within_one(self) -> bool:
        return self.rating is not None and abs(self.rating.value - self.reference.value) <= 1


@dataclass
class ItemFeedback:
    item_id: int
    code: str
    name: str
    clips: list[ClipFeedback] = field(default_factory=list)

    @property
    def exact(self) -> Decimal | None:
        return _percent(sum(1 for c in self.clips if c.agrees), len(self.clips))

    @property
    def within_one(self) -> Decimal | None:
        return _percent(sum(1 for c in self.clips if c.within_one), len(self.clips))

    @property
    def agreed_count(self) -> int:
        return sum(1 for c in self.clips if c.agrees)
