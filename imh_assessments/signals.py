"""Signals assessments sends for apps above it (courses completes lessons on them)."""

from django.dispatch import Signal

# Sent on commit when a person first passes an activity (quiz or H5P), or when a pass is
# recorded again after a change of policy, and whenever a reliability test is passed (each
# pass renews the result). Arguments: ``user``, ``activity_type`` ("quiz", "h5p" or
# "reliability"), ``activity_id``, ``page_ids`` (the pages the activity is placed on).
activity_passed = Signal()


# Receivers for Wagtail's page signals (connected in ``AssessmentsConfig.ready``).


def placements_sync_on_publish(sender, instance, **kwargs) -> None:
    from imh_assessments.services.placements import placements_sync

    placements_sync(page=instance)


def placements_clear_on_unpublish(sender, instance, **kwargs) -> None:
    from imh_assessments.services.placements import placements_clear

    placements_clear(page_id=instance.pk)


def activity_passed_on_reliability_pass(sender, instance, created, update_fields=None, **kwargs):
    """A reliability attempt saved as passed: send ``activity_passed`` for the pages the test
    is placed on, so lessons it gates complete. (The reliability app sits below this one and
    sends nothing itself; its attempts are saved once when submitted.)"""
    if not instance.passed or instance.submitted_at is None:
        return
    if update_fields is not None and "passed" not in update_fields:
        return
    from django.db import transaction

    from imh_assessments.models import ActivityPlacement

    user_id, test_id = instance.user_id, instance.test_id

    def send() -> None:
        from django.contrib.auth import get_user_model

        page_ids = sorted(
            ActivityPlacement.objects.filter(
                activity_type=ActivityPlacement.Type.RELIABILITY, activity_id=test_id
            ).values_list("page_id", flat=True)
        )
        user = get_user_model().objects.filter(pk=user_id).first()
        if not page_ids or user is None:
            return
        activity_passed.send(
            sender=type(instance),
            user=user,
            activity_type=ActivityPlacement.Type.RELIABILITY,
            activity_id=test_id,
            page_ids=page_ids,
        )

    transaction.on_commit(send, robust=True)
