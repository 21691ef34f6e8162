"""Signals assessments sends for apps above it (courses completes lessons on them)."""

from django.dispatch import Signal

# Sent on commit when a person first passes an activity (quiz or H5P), or when a pass is
# recorded again after a change of policy. Arguments: ``user``, ``activity_type`` ("quiz" or
# "h5p"), ``activity_id``, ``page_ids`` (the pages the activity is placed on).
activity_passed = Signal()
