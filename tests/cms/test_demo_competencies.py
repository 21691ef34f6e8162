"""The demo's competency layer: sample framework, mappings, a placed quiz, trainee evidence."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from imh_assessments.models import ActivityPlacement, Quiz
from imh_competencies.models import Evidence, Framework, Observation, PageCompetency, SelfAssessment
from imh_courses.models import LessonPage, LiveSession

pytestmark = pytest.mark.django_db


def _counts() -> dict[str, int]:
    return {
        "frameworks": Framework.objects.count(),
        "page mappings": PageCompetency.objects.count(),
        "quizzes": Quiz.objects.count(),
        "placements": ActivityPlacement.objects.count(),
        "observations": Observation.objects.count(),
        "self-assessments": SelfAssessment.objects.count(),
        "evidence": Evidence.objects.count(),
    }


def test_the_demo_maps_its_courses_to_the_sample_framework_and_loads_once():
    call_command("demo_load")
    first = _counts()
    call_command("demo_load")
    assert _counts() == first

    framework = Framework.objects.get()
    assert framework.is_sample
    assert framework.areas.count() == 7
    assert len(framework.levels) == 3
    assert first["page mappings"] > 10
    assert all(session.competency_mappings.exists() for session in LiveSession.objects.all())


def test_the_demo_quiz_is_placed_in_its_lesson_and_the_trainee_has_evidence():
    call_command("demo_load")
    lesson = LessonPage.objects.get(slug="attunement-and-serve-and-return")
    quiz = Quiz.objects.get()
    assert ActivityPlacement.objects.filter(
        page=lesson, activity_type="quiz", activity_id=quiz.pk
    ).exists()
    assert quiz.quiz_questions.count() == 3

    kinds = set(Evidence.objects.filter(user__username="trainee").values_list("kind", flat=True))
    # Other areas of the demo (reliability, supervision) add their own kinds of evidence.
    assert {Evidence.Kind.OBSERVATION, Evidence.Kind.SELF_ASSESSMENT} <= kinds
    assert Evidence.Kind.QUIZ not in kinds


def test_the_demo_nursery_manager_holds_a_verifiable_certificate(
    client, django_capture_on_commit_callbacks
):
    from io import StringIO

    from imh_certificates.models import Certificate

    # Certificates are issued when the completing transaction commits.
    with django_capture_on_commit_callbacks(execute=True):
        call_command("demo_load")
    with django_capture_on_commit_callbacks(execute=True):
        call_command("demo_load")
    certificate = Certificate.objects.get(holder__username="nursery")
    assert certificate.title == "Parent\u2013infant relationships in early years settings"
    assert certificate.pdf_status == Certificate.PdfStatus.READY

    out = StringIO()
    call_command("demo_logins", stdout=out)
    assert f"/verify/{certificate.code}/" in out.getvalue()
    assert client.get(f"/verify/{certificate.code}/").status_code == 200
