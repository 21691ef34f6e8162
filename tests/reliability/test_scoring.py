"""Agreement measures against values worked out by hand."""

from __future__ import annotations

from decimal import Decimal

import pytest

from imh_reliability.scoring import (
    Pair,
    exact_agreement,
    passes,
    score,
    weighted_kappa,
    within_one_agreement,
)


def pairs_of(rows: list[tuple[int, int]]) -> list[Pair]:
    """(reference, rating) rows as pairs, each on its own clip."""
    return [Pair(clip_id=n, item_id=1, rating=r, reference=ref) for n, (ref, r) in enumerate(rows)]


# Ten pairs on a 3-point scale. Rows = reference, columns = rating:
#         1  2  3 | row
#   1  [  3  1  0 ]  4
#   2  [  0  2  1 ]  3
#   3  [  0  1  2 ]  3
#  col    3  4  3   n = 10
# Exact: 7/10 = 70%. Within one: 10/10 = 100%.
# Expected by chance (r_i * c_j / 100): diagonal 12 + 12 + 9 = 33; cells one apart
# (1,2) 16, (2,1) 9, (2,3) 9, (3,2) 12 = 46; cells two apart 18 + 3 = 21.
# Linear weights 1, 0.5, 0: Po = 0.7 + 0.5 * 0.3 = 0.85; Pe = (33 + 23) / 100 = 0.56;
#   kappa = (0.85 - 0.56) / (1 - 0.56) = 0.29 / 0.44 = 0.659090...
# Quadratic weights 1, 0.75, 0: Po = 0.7 + 0.75 * 0.3 = 0.925; Pe = (33 + 34.5) / 100 = 0.675;
#   kappa = (0.925 - 0.675) / 0.325 = 0.769230...
THREE_POINT = [(1, 1), (1, 1), (1, 1), (1, 2), (2, 2), (2, 2), (2, 3), (3, 3), (3, 3), (3, 2)]


def test_exact_and_within_one():
    pairs = pairs_of(THREE_POINT)
    assert exact_agreement(pairs) == Decimal("70.00")
    assert within_one_agreement(pairs) == Decimal("100.00")


def test_linear_weighted_kappa_hand_computed():
    assert weighted_kappa(pairs_of(THREE_POINT), weights="linear") == pytest.approx(0.29 / 0.44)


def test_quadratic_weighted_kappa_hand_computed():
    kappa = weighted_kappa(pairs_of(THREE_POINT), weights="quadratic")
    assert kappa == pytest.approx(0.25 / 0.325)


def test_two_categories_match_cohens_textbook_example():
    # The usual worked example: 50 cases, both "yes" 20, A yes/B no 5, A no/B yes 10, both
    # "no" 15. Po = 35/50 = 0.7; Pe = 0.5 * 0.6 + 0.5 * 0.4 = 0.5; kappa = 0.2 / 0.5 = 0.4.
    # With two categories every weighting gives Cohen's unweighted kappa.
    rows = [(2, 2)] * 20 + [(2, 1)] * 5 + [(1, 2)] * 10 + [(1, 1)] * 15
    for weights in ("linear", "quadratic"):
        assert weighted_kappa(pairs_of(rows), weights=weights) == pytest.approx(0.4)


def test_unused_top_categories_leave_kappa_unchanged():
    # On a 5-point scale linear weights are 1, 0.75, 0.5...: Po = 0.7 + 0.75 * 0.3 = 0.925,
    # Pe = (33 + 0.75 * 46 + 0.5 * 21) / 100 = 0.78, kappa = 0.145 / 0.22 = 0.659090..., the
    # same: kappa does not change when every disagreement weight is scaled alike.
    five = weighted_kappa(pairs_of(THREE_POINT), categories=[1, 2, 3, 4, 5], weights="linear")
    assert five == pytest.approx(0.145 / 0.22)
    assert five == pytest.approx(0.29 / 0.44)


def test_degenerate_all_one_category():
    # Everything in category 2 on both sides: Pe = 1, kappa undefined; defined as 1.0.
    assert weighted_kappa(pairs_of([(2, 2)] * 4), categories=[1, 2, 3]) == 1.0
    # A scale of a single category.
    assert weighted_kappa(pairs_of([(1, 1)] * 3)) == 1.0


def test_reference_constant_rating_varies_is_zero():
    # Reference always 2, ratings 1, 2, 3: agreement no better than chance.
    assert weighted_kappa(pairs_of([(2, 1), (2, 2), (2, 3)]), weights="linear") == 0.0


def test_nothing_rated():
    assert exact_agreement([]) is None
    assert weighted_kappa([]) is None
    scores = score([])
    assert scores.pairs == 0
    assert scores.kappa is None


def test_score_rounds_and_picks_metric():
    scores = score(pairs_of(THREE_POINT), categories=[1, 2, 3])
    assert scores.kappa == Decimal("0.7692")
    assert scores.for_metric("exact") == Decimal("70.00")
    assert scores.for_metric("within_one") == Decimal("100.00")


def test_pass_mark_is_inclusive():
    assert passes(Decimal("80.00"), Decimal("80"))
    assert not passes(Decimal("79.99"), Decimal("80"))
    assert not passes(None, Decimal("0"))
