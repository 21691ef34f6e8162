"""The demo's H5P activity: the project's own package, required in the lesson on reading a
baby's cues, loaded once."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from cms.demo_h5p import H5P_LESSON, demo_h5p_load
from imh_assessments.h5p.demo import DEMO_MACHINE_NAME
from imh_assessments.models import ActivityPlacement, H5PActivity, H5PLibrary
from imh_courses.models import LessonPage

pytestmark = pytest.mark.django_db


def _counts() -> dict[str, int]:
    return {
        "activities": H5PActivity.objects.count(),
        "libraries": H5PLibrary.objects.count(),
        "placements": ActivityPlacement.objects.filter(activity_type="h5p").count(),
        "h5p blocks": sum(
            block.block_type == "h5p" for page in LessonPage.objects.all() for block in page.body
        ),
    }


def test_the_demo_requires_the_cue_check_in_its_lesson_once():
    call_command("demo_load")
    first = _counts()
    assert first == {"activities": 1, "libraries": 1, "placements": 1, "h5p blocks": 1}
    activity = H5PActivity.objects.get()
    assert activity.main_library.machine_name == DEMO_MACHINE_NAME
    assert activity.uploaded_by.email == "educator@example.org"
    lesson = LessonPage.objects.get(slug=H5P_LESSON)
    placement = ActivityPlacement.objects.get(activity_type="h5p")
    assert placement.page_id == lesson.pk
    assert placement.activity_id == activity.pk
    block = next(block for block in lesson.body if block.block_type == "h5p")
    assert block.value["required"] is True
    assert not lesson.has_unpublished_changes

    call_command("demo_load")
    assert _counts() == first
    assert demo_h5p_load().pk == activity.pk
    assert _counts() == first


def test_the_demo_trainee_sees_the_player_in_the_lesson():
    call_command("demo_load")
    client = Client()
    client.force_login(get_user_model().objects.get(email="trainee@example.org"))
    lesson = LessonPage.objects.get(slug=H5P_LESSON)
    html = client.get(lesson.url).content.decode()
    activity = H5PActivity.objects.get()
    assert "imh-h5p__frame" in html
    assert str(activity.uuid) in html
