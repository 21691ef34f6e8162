"""Keep ``ActivityPlacement`` rows in step with the activity blocks on published pages.

Any page type may embed activity blocks (a block whose class declares ``activity_type`` and
``activity_id(value)``), at the top of a StreamField or nested inside stream, struct and list
blocks, so a host site's own page types work too. Publishing a page replaces its placements
with what its live content holds; unpublishing or deleting it removes them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db import transaction
from wagtail import blocks
from wagtail.fields import StreamField
from wagtail.models import Page

from imh_assessments.models import ActivityPlacement

# (activity_type, activity_id, required)
Found = tuple[str, int, bool]


def _activities_in(block: blocks.Block, value: Any) -> Iterator[Found]:
    """Every activity in ``value`` (a value of ``block``), depth first, in page order."""
    if value is None:
        return
    if getattr(block, "activity_type", None):
        activity_id = block.activity_id(value)
        if activity_id is not None:
            yield block.activity_type, int(activity_id), bool(value.get("required", True))
        return
    if isinstance(block, blocks.StreamBlock):
        for child in value:
            yield from _activities_in(child.block, child.value)
    elif isinstance(block, blocks.ListBlock):
        items = getattr(value, "bound_blocks", None)
        if items is not None:
            for child in items:
                yield from _activities_in(child.block, child.value)
        else:
            for item in value:
                yield from _activities_in(block.child_block, item)
    elif isinstance(block, blocks.StructBlock):
        for name, child_block in block.child_blocks.items():
            yield from _activities_in(child_block, value.get(name))


def page_activities(*, page: Page) -> dict[tuple[str, int], bool]:
    """The activities placed on ``page``'s content, each with whether it is required.

    An activity placed twice on the same page is required if either placement says so.
    """
    page = page.specific
    found: dict[tuple[str, int], bool] = {}
    for field in page._meta.get_fields():
        if not isinstance(field, StreamField):
            continue
        stream = getattr(page, field.name)
        for activity_type, activity_id, required in _activities_in(field.stream_block, stream):
            key = (activity_type, activity_id)
            found[key] = found.get(key, False) or required
    return found


@transaction.atomic
def placements_sync(*, page: Page) -> list[ActivityPlacement]:
    """Replace ``page``'s placements with the activities its content holds now.

    Call it with the published page (the ``page_published`` signal does). A page that is not
    live has no placements, so trainees are never asked for activities nobody can see.
    """
    if not page.live:
        placements_clear(page_id=page.pk)
        return []
    wanted = page_activities(page=page)
    current = {
        (row.activity_type, row.activity_id): row
        for row in ActivityPlacement.objects.select_for_update().filter(page_id=page.pk)
    }
    gone = [row.pk for key, row in current.items() if key not in wanted]
    if gone:
        ActivityPlacement.objects.filter(pk__in=gone).delete()
    result = []
    for (activity_type, activity_id), required in wanted.items():
        row = current.get((activity_type, activity_id))
        if row is None:
            row = ActivityPlacement(
                page_id=page.pk,
                activity_type=activity_type,
                activity_id=activity_id,
                required=required,
            )
            row.full_clean(validate_constraints=False, validate_unique=False)
            row.save()
        elif row.required != required:
            row.required = required
            row.save(update_fields=["required"])
        result.append(row)
    return result


def placements_clear(*, page_id: int) -> int:
    """Remove the placements of a page that is no longer published (or no longer exists)."""
    deleted, _ = ActivityPlacement.objects.filter(page_id=page_id).delete()
    return deleted


def placements_sync_all() -> int:
    """Re-read every live page's content (for sites that had pages before placements existed).

    Placements of pages that are not live are removed. Returns the number of pages read.
    """
    ActivityPlacement.objects.exclude(page__live=True).delete()
    count = 0
    for page in Page.objects.live().specific().iterator(chunk_size=200):
        placements_sync(page=page)
        count += 1
    return count
