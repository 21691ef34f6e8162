"""External learning: submission, file checks, educator review in the admin, and downloads."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from imh_competencies import services
from imh_competencies.models import Evidence, ExternalLearning
from tests.competencies.factories import AreaFactory, CompetencyFactory, FrameworkFactory
from tests.factories import UserFactory

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
NEW_URL = reverse("imh_competencies:external_learning_new")


@pytest.fixture
def framework(db):
    framework = FrameworkFactory(name="Infant mental health", slug="imh")
    area = AreaFactory(framework=framework, code="A1", name="Relationships")
    CompetencyFactory(area=area, code="1.1", short_name="Attunement")
    CompetencyFactory(area=area, code="1.2", short_name="Reflective practice")
    return framework


@pytest.fixture
def competencies(framework):
    return list(framework.competencies.order_by("code"))


@pytest.fixture
def trainee(db):
    return UserFactory(first_name="Tara", last_name="Trainee")


@pytest.fixture
def educator(db):
    user = UserFactory(first_name="Erin", last_name="Educator")
    user.groups.add(Group.objects.get(name="Educators"))
    return user


def _data(chosen, **overrides) -> dict:
    data = {
        "framework": "imh",
        "title": "Newborn Behavioural Observation training",
        "provider": "Brazelton Centre UK",
        "completed_on": (timezone.localdate() - datetime.timedelta(days=30)).isoformat(),
        "hours": "7.5",
        "description": "Two days on reading newborn cues.",
        "competencies": [str(chosen[0].pk), str(chosen[1].pk)],
        "level": "2",
    }
    data.update(overrides)
    return data


@pytest.fixture
def submission(trainee, framework, competencies):
    return services.external_learning_submit(
        user=trainee,
        framework=framework,
        title="NBO training",
        provider="Brazelton Centre UK",
        completed_on=timezone.localdate(),
        hours=Decimal("7.5"),
        claims=[(competencies[0].pk, 2), (competencies[1].pk, 1)],
        evidence_file=SimpleUploadedFile("NBO certificate.pdf", PDF),
    )


# Submitting.


def test_choose_a_framework_first(client, trainee, framework):
    client.force_login(trainee)
    html = client.get(NEW_URL).content.decode()
    assert "Which framework does this learning count towards?" in html
    assert "Attunement" in client.get(NEW_URL, {"framework": "imh"}).content.decode()


def test_submit_with_a_file_waits_for_review(client, trainee, framework, competencies):
    client.force_login(trainee)
    upload = SimpleUploadedFile("My certificate.pdf", PDF, content_type="application/pdf")
    response = client.post(NEW_URL, {**_data(competencies), "evidence_file": upload})
    assert response.status_code == 302
    item = ExternalLearning.objects.get()
    assert item.status == ExternalLearning.Status.PENDING
    assert item.evidence_file.name.startswith("private/competencies/external-learning/")
    assert "My certificate" not in item.evidence_file.name
    assert item.evidence_file_name == "My certificate.pdf"
    assert sorted(item.claims.values_list("level", flat=True)) == [2, 2]
    assert not Evidence.objects.exists()
    detail = client.get(response["Location"]).content.decode()
    assert "Waiting for review" in detail


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("virus.exe", PDF, "The file must be a PDF, Word (.docx), JPG or PNG file."),
        ("page.html", b"<html></html>", "The file must be a PDF, Word (.docx), JPG or PNG file."),
        ("fake.pdf", PNG, "The file is not a real PDF file."),
        ("huge.pdf", PDF + b"0" * (10 * 1024 * 1024), "The file must be smaller than 10 MB."),
    ],
)
def test_bad_files_are_refused_and_nothing_is_stored(
    client, trainee, framework, competencies, name, content, message
):
    client.force_login(trainee)
    upload = SimpleUploadedFile(name, content)
    response = client.post(NEW_URL, {**_data(competencies), "evidence_file": upload})
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert "There is a problem" in html
    assert not ExternalLearning.objects.exists()


def test_missing_competencies_and_future_date_are_refused(client, trainee, competencies):
    client.force_login(trainee)
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    response = client.post(NEW_URL, {**_data(competencies), "competencies": []})
    assert "Choose at least one competency this learning developed." in response.content.decode()
    response = client.post(NEW_URL, _data(competencies, completed_on=tomorrow))
    assert "The date completed must be today or in the past." in response.content.decode()
    response = client.post(NEW_URL, _data(competencies, level="5"))
    assert "Choose a level from Level 1 to Level 3." in response.content.decode()
    assert not ExternalLearning.objects.exists()


# Reviewing in the admin.


def test_educator_verifies_and_evidence_appears(
    client, educator, trainee, submission, competencies, django_capture_on_commit_callbacks
):
    client.force_login(educator)
    index = client.get(reverse("external_learning_review:index"))
    assert index.status_code == 200
    assert "NBO training" in index.content.decode()
    url = reverse("external_learning_review:review", args=[submission.pk])
    assert "Tara Trainee" in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"action": "verify"})
    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.status == ExternalLearning.Status.VERIFIED
    assert submission.reviewed_by == educator
    evidence = dict(
        Evidence.objects.filter(user=trainee, kind=Evidence.Kind.EXTERNAL).values_list(
            "competency_id", "level"
        )
    )
    assert evidence == {competencies[0].pk: 2, competencies[1].pk: 1}
    assert mail.outbox[-1].to == [trainee.email]
    assert "verified" in mail.outbox[-1].subject


def test_rejection_needs_a_reason_which_is_emailed(
    client, educator, trainee, submission, django_capture_on_commit_callbacks
):
    client.force_login(educator)
    url = reverse("external_learning_review:review", args=[submission.pk])
    response = client.post(url, {"action": "reject", "reason": "  "})
    assert response.status_code == 200
    assert "Enter the reason, so the trainee knows what to do next." in response.content.decode()
    submission.refresh_from_db()
    assert submission.status == ExternalLearning.Status.PENDING
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"action": "reject", "reason": "The certificate is not readable."})
    submission.refresh_from_db()
    assert submission.status == ExternalLearning.Status.REJECTED
    assert not Evidence.objects.filter(user=trainee).exists()
    assert "The certificate is not readable." in mail.outbox[-1].body
    client.force_login(trainee)
    html = client.get(
        reverse("imh_competencies:external_learning_detail", args=[submission.pk])
    ).content.decode()
    assert "The certificate is not readable." in html


def test_rejecting_after_verifying_withdraws_the_evidence(educator, trainee, submission):
    services.external_learning_verify(external_learning=submission, actor=educator)
    assert Evidence.objects.filter(user=trainee).count() == 2
    services.external_learning_reject(
        external_learning=submission, actor=educator, reason="Verified by mistake."
    )
    assert not Evidence.objects.filter(user=trainee).exists()


def test_trainees_cannot_review(client, trainee, submission):
    client.force_login(trainee)
    url = reverse("external_learning_review:review", args=[submission.pk])
    assert client.post(url, {"action": "verify"}).status_code in {302, 403}
    with pytest.raises(PermissionDenied):
        services.external_learning_verify(external_learning=submission, actor=trainee)
    submission.refresh_from_db()
    assert submission.status == ExternalLearning.Status.PENDING


def test_an_educator_cannot_verify_their_own(educator, framework, competencies):
    own = services.external_learning_submit(
        user=educator,
        framework=framework,
        title="Own course",
        provider="Somewhere",
        completed_on=timezone.localdate(),
        hours=1,
        claims=[(competencies[0].pk, 1)],
    )
    with pytest.raises(PermissionDenied):
        services.external_learning_verify(external_learning=own, actor=educator)


# The evidence file.


def test_file_goes_to_its_owner_and_educators_only(client, trainee, educator, submission):
    url = reverse("imh_competencies:external_learning_file", args=[submission.pk])
    for user in (trainee, educator):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment;")
        assert "NBO certificate.pdf" in response["Content-Disposition"]
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Type"] == "application/pdf"
        assert b"".join(response.streaming_content) == PDF
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302
    assert "/media/" not in submission.evidence_file.name


def test_other_trainee_cannot_see_the_submission(client, submission):
    client.force_login(UserFactory())
    detail = reverse("imh_competencies:external_learning_detail", args=[submission.pk])
    assert client.get(detail).status_code == 404
    remove = reverse("imh_competencies:external_learning_delete", args=[submission.pk])
    assert client.post(remove).status_code == 404
    assert ExternalLearning.objects.filter(pk=submission.pk).exists()


def test_owner_removes_a_submission_and_its_file(
    client, trainee, submission, django_capture_on_commit_callbacks
):
    storage = submission.evidence_file.storage
    name = submission.evidence_file.name
    assert storage.exists(name)
    client.force_login(trainee)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("imh_competencies:external_learning_delete", args=[submission.pk])
        )
    assert response.status_code == 302
    assert not ExternalLearning.objects.exists()
    assert not storage.exists(name)
