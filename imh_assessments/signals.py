"""Signals assessments sends for apps above it (courses completes lessons on them)."""

from django.dispatch import Signal

# Sent on commit when a person first passes an activity (quiz or H5P), or when a pass is
# recorded again after a change of policy. Arguments: ``user``, ``activity_type`` ("quiz" or
# "h5p"), ``activity_id``, ``page_ids`` (the pages the activity is placed on).
activity_passed = Signal()


# Receivers for Wagtail's page signals (connected in ``AssessmentsConfig.ready``).


def placements_sync_on_publish(sender, instance, **kwargs) -> None:
    from imh_assessments.services.placements import placements_sync

    placements_sync(page=instance)


def placements_clear_on_unpublish(sender, instance, **kwargs) -> None:
    from imh_assessments.services.placements import placements_clear

    placements_clear(page_id=instance.pk)
