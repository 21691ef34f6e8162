"""A course whose certificate lasts 24 months is not offered again straight after it is
completed: only once the renewal is due (60 days before the certificate expires) or after."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from imh_courses.models import CourseCompletion, Enrolment
from imh_courses.selectors.learning import EXPIRY_WARNING_DAYS, renewal_opens_on
from imh_courses.services.learning import enrolment_create, lesson_complete
from tests.courses.factories import create_course, lessons_of
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

COMPLETED = datetime.datetime(2026, 3, 10, 10, tzinfo=datetime.UTC)
EXPIRES = datetime.date(2028, 3, 10)  # 24 months on
RENEWAL_OPENS = datetime.date(2028, 1, 10)  # 60 days before


def _at(day: datetime.date):
    return time_machine.travel(
        datetime.datetime.combine(day, datetime.time(10), tzinfo=datetime.UTC), tick=False
    )


@pytest.fixture
def completed():
    """A trainee who completed a 24-month course on 10 March 2026."""
    course = create_course(title="Safeguarding babies", modules=1, lessons_per_module=1)
    course.certificate_validity_months = 24
    course.save_revision().publish()
    trainee = UserFactory()
    with time_machine.travel(COMPLETED, tick=False):
        enrolment_create(user=trainee, course=course)
        for lesson in lessons_of(course):
            lesson_complete(user=trainee, lesson=lesson)
    assert CourseCompletion.objects.get(user=trainee).expires_on == EXPIRES
    return course, trainee


def test_the_window_is_60_days_before_expiry():
    assert EXPIRY_WARNING_DAYS == 60
    assert renewal_opens_on(expires_on=EXPIRES) == RENEWAL_OPENS


def test_not_offered_straight_after_completing(client, completed):
    course, trainee = completed
    with time_machine.travel(COMPLETED + datetime.timedelta(minutes=5), tick=False):
        client.force_login(trainee)
        html = client.get(course.url).content.decode()
    assert "You completed this course on 10 March 2026" in html
    assert "Take the course again" not in html
    assert reverse("imh_courses:enrol", args=[course.pk]) not in html
    assert "valid until 10 March 2028. You can take the course again to renew it from " in html
    assert "10 January 2028" in html


def test_not_offered_the_day_before_the_renewal_is_due(client, completed):
    course, trainee = completed
    with _at(RENEWAL_OPENS - datetime.timedelta(days=1)):
        client.force_login(trainee)
        html = client.get(course.url).content.decode()
    assert "Take the course again" not in html


@pytest.mark.parametrize(
    "day",
    [RENEWAL_OPENS, EXPIRES - datetime.timedelta(days=1), EXPIRES + datetime.timedelta(days=30)],
)
def test_offered_once_the_renewal_is_due_and_after_expiry(client, completed, day):
    course, trainee = completed
    with _at(day):
        client.force_login(trainee)  # a session from two years ago has expired
        html = client.get(course.url).content.decode()
        assert "Take the course again" in html
        assert reverse("imh_courses:enrol", args=[course.pk]) in html
        response = client.post(reverse("imh_courses:enrol", args=[course.pk]))
    assert response.status_code == 302
    renewal = Enrolment.objects.get(user=trainee, status=Enrolment.Status.ACTIVE)
    assert renewal.cycle == 2


def test_the_expired_certificate_is_said_to_have_expired(client, completed):
    course, trainee = completed
    with _at(EXPIRES + datetime.timedelta(days=1)):
        client.force_login(trainee)
        html = client.get(course.url).content.decode()
    assert "Your certificate expired on 10 March 2028. Take the course again to renew it." in html


def test_enrolling_again_too_early_is_refused_with_the_date_and_changes_nothing(client, completed):
    course, trainee = completed
    with time_machine.travel(COMPLETED + datetime.timedelta(days=1), tick=False):
        client.force_login(trainee)
        with pytest.raises(ValidationError) as raised:
            enrolment_create(user=trainee, course=course)
        response = client.post(reverse("imh_courses:enrol", args=[course.pk]), follow=True)
    assert raised.value.code == "renewal_not_due"
    assert "You can take the course again to renew it from 10 January 2028." in str(raised.value)
    assert "10 January 2028" in response.content.decode()
    assert not Enrolment.objects.filter(user=trainee, status=Enrolment.Status.ACTIVE).exists()


def test_managers_may_still_assign_it_again_early(completed):
    course, trainee = completed
    with time_machine.travel(COMPLETED + datetime.timedelta(days=1), tick=False):
        renewal = enrolment_create(user=trainee, course=course, assigned_by=UserFactory())
    assert (renewal.cycle, renewal.status) == (2, Enrolment.Status.ACTIVE)
