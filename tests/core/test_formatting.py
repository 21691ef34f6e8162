"""One style for times of day ("9:30am", "2pm", "midday") and hours ("1.5 hours") everywhere."""

from __future__ import annotations

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone

from imh_core.formatting import datetime_text, hours_text, time_text
from imh_courses.models import Booking, LiveSession
from imh_courses.services.learning import enrolment_create
from tests.assessments import factories_quizzes as f
from tests.certificates.factories import CertificateFactory
from tests.courses.factories import create_course
from tests.factories import UserFactory

LONDON = ZoneInfo("Europe/London")


def _london(*args: int) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=LONDON)


# Times of day ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hour", "minute", "expected"),
    [
        (9, 30, "9:30am"),
        (14, 0, "2pm"),
        (14, 5, "2:05pm"),
        (12, 0, "midday"),
        (12, 30, "12:30pm"),
        (0, 0, "midnight"),
        (0, 15, "12:15am"),
        (23, 59, "11:59pm"),
    ],
)
def test_time_text(hour, minute, expected):
    assert time_text(_london(2026, 6, 3, hour, minute)) == expected
    assert time_text(datetime.time(hour, minute)) == expected


def test_times_are_shown_in_uk_time_in_summer_and_winter():
    summer = datetime.datetime(2026, 6, 3, 13, 0, tzinfo=datetime.UTC)  # BST
    winter = datetime.datetime(2026, 12, 2, 9, 30, tzinfo=datetime.UTC)  # GMT
    assert time_text(summer) == "2pm"
    assert time_text(winter) == "9:30am"
    assert datetime_text(summer) == "3 June 2026 at 2pm"
    assert datetime_text(winter, "l j F Y") == "Wednesday 2 December 2026 at 9:30am"


def test_nothing_to_show_is_empty():
    assert time_text(None) == ""
    assert datetime_text(None) == ""


def test_the_template_filters_use_the_same_style():
    moment = _london(2026, 6, 3, 9, 30)
    html = Template(
        "{% load formatting_tags %}{{ m|time_text }}|{{ m|datetime_text }}|"
        '{{ m|datetime_text:"j M Y" }}|{{ nothing|time_text }}|{{ "x"|datetime_text }}'
    ).render(Context({"m": moment, "nothing": None}))
    assert html == "9:30am|3 June 2026 at 9:30am|3 Jun 2026 at 9:30am||"


# Hours -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("1.0"), "1 hour"),
        (Decimal("1.5"), "1.5 hours"),
        (Decimal("0.5"), "0.5 hours"),
        (Decimal("3.0"), "3 hours"),
        (Decimal("12"), "12 hours"),
        (Decimal("10.0"), "10 hours"),
        (Decimal("0"), "0 hours"),
        ("2.5", "2.5 hours"),
        (7, "7 hours"),
        (1, "1 hour"),
        (Decimal("2.25"), "2.3 hours"),
        (None, ""),
        ("", ""),
        ("lots", ""),
    ],
)
def test_hours_text(value, expected):
    assert hours_text(value) == expected


def test_hours_text_with_a_kind():
    assert hours_text(Decimal("6.5"), "CPD") == "6.5 CPD hours"
    assert hours_text(Decimal("1.0"), "CPD") == "1 CPD hour"


def test_the_hours_filter():
    html = Template(
        '{% load formatting_tags %}{{ a|hours_text }}|{{ b|hours_text:"CPD" }}|{{ c|hours_text }}'
    ).render(Context({"a": Decimal("1.0"), "b": Decimal("6.5"), "c": None}))
    assert html == "1 hour|6.5 CPD hours|"


# Pages that show them ----------------------------------------------------------------------


@pytest.mark.django_db
def test_the_quiz_page_gives_the_deadline_as_9_35am(client):
    page = f.lesson_page()
    quiz = f.quiz_of(f.single_choice(), time_limit_minutes=5)
    client.force_login(UserFactory())
    with f.attempt_policy(), time_machine.travel(_london(2026, 3, 2, 9, 30), tick=False):
        client.post(
            reverse("imh_assessments:quiz_start", args=[quiz.pk]), {"page_id": str(page.pk)}
        )
        attempt = quiz.attempts.get()
        html = client.get(
            reverse("imh_assessments:quiz_take", args=[attempt.token])
        ).content.decode()
    assert ">9:35am</time>" in html
    assert ">09:35<" not in html


@pytest.mark.django_db
def test_my_learning_gives_session_times_as_2pm_to_4_30pm(client):
    trainee = UserFactory()
    course = create_course(modules=1, lessons_per_module=1)
    enrolment_create(user=trainee, course=course)
    starts = timezone.localtime(timezone.now() + datetime.timedelta(days=3)).replace(
        hour=14, minute=0, second=0, microsecond=0
    )
    session = LiveSession.objects.create(
        course=course,
        title="Video feedback workshop",
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=2, minutes=30),
        venue="Room 4",
    )
    Booking.objects.create(session=session, user=trainee, status="confirmed")
    client.force_login(trainee)
    html = client.get(reverse("imh_courses:my_learning")).content.decode()
    assert "2pm to 4:30pm" in html
    assert "2:00pm" not in html


@pytest.mark.django_db
def test_course_pages_show_hours_in_the_same_style(client):
    course = create_course(
        title="Attachment", cpd_hours=Decimal("1.0"), estimated_hours=Decimal("1.5")
    )
    html = client.get(course.url).content.decode()
    assert ">1 hour</dd>" in html  # CPD
    assert "About 1.5 hours" in html
    index = client.get(course.get_parent().url).content.decode()
    assert ">1 hour</dd>" in index
    assert ">1.5 hours</dd>" in index


@pytest.mark.django_db
def test_the_verification_page_and_portfolio_show_hours_in_the_same_style(client):
    certificate = CertificateFactory(cpd_hours=Decimal("2.5"))
    html = client.get(reverse("imh_certificates:verify_code", args=[certificate.code])).content
    assert ">2.5 hours</dd>" in html.decode()

    client.force_login(certificate.holder)
    html = client.get(reverse("imh_certificates:portfolio")).content.decode()
    assert ">2.5 hours</td>" in html  # the certificate's row
    assert "<strong>2.5 hours</strong>" in html  # the total


@pytest.mark.parametrize(
    ("items", "text"),
    [([], ""), (["a"], "a"), (["a", "b"], "a and b"), (["a", "b", "c"], "a, b and c")],
)
def test_and_list_joins_as_people_write_lists(items, text):
    from imh_core.formatting import and_list

    assert and_list(iter(items)) == text
