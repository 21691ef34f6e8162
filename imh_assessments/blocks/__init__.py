"""Lesson body blocks for activities. Each activity block class declares ``activity_type``
("quiz", "h5p" or "reliability") and ``activity_id(value) -> int | None`` and a ``required``
field, so placements can be read from any StreamField that uses them."""

from __future__ import annotations

from wagtail import blocks


def activity_blocks() -> list[tuple[str, blocks.Block]]:
    from imh_assessments.blocks.h5p import H5PBlock
    from imh_assessments.blocks.quiz import QuizBlock
    from imh_reliability.blocks import ReliabilityTestBlock

    return [
        ("quiz", QuizBlock()),
        ("h5p", H5PBlock()),
        ("reliability_test", ReliabilityTestBlock()),
    ]
