"""Enrolment and course report downloads: text that starts like a formula is never run."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from imh_courses.services.learning import enrolment_create
from tests.courses.factories import create_course
from tests.factories import UserFactory
from tests.spreadsheets import RISKY_IDS, RISKY_VALUES, assert_plain_text, csv_rows, xlsx_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def educator(client):
    user = UserFactory(username="educator")
    user.groups.add(Group.objects.get(name="Educators"))
    client.force_login(user)
    return user


@pytest.mark.parametrize("risky", RISKY_VALUES, ids=RISKY_IDS)
def test_enrolment_export_quotes_risky_text(client, educator, risky):
    course = create_course(title="Foundations", modules=1, lessons_per_module=1, publish=False)
    enrolment_create(user=UserFactory(first_name=risky, last_name="Shah"), course=course)

    [row] = csv_rows(client.get(reverse("enrolments:index"), {"export": "csv"}))
    assert row["First name"] == f"'{risky}"
    assert row["Last name"] == "Shah"

    [row] = xlsx_rows(client.get(reverse("enrolments:index"), {"export": "xlsx"}))
    assert_plain_text(row["First name"], f"'{risky}")
    assert row["Course"].value == "Foundations"


@pytest.mark.parametrize("risky", RISKY_VALUES, ids=RISKY_IDS)
def test_course_report_export_quotes_risky_text(client, educator, risky):
    course = create_course(title=risky, modules=1, lessons_per_module=1, publish=False)
    enrolment_create(user=UserFactory(), course=course)

    [row] = csv_rows(client.get(reverse("course_report:index"), {"export": "csv"}))
    assert row["Course"] == f"'{risky}"
    assert row["Enrolled"] == "1"

    [row] = xlsx_rows(client.get(reverse("course_report:index"), {"export": "xlsx"}))
    assert_plain_text(row["Course"], f"'{risky}")
    # Counts stay numbers a spreadsheet can add up.
    assert row["Enrolled"].value == 1
    assert row["Enrolled"].data_type == "n"
