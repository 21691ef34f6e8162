"""Learning done elsewhere: logging it, file checks, changing it, educator review, downloads."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from imh_competencies import services
from imh_competencies.models import Evidence, ExternalLearning, Framework
from tests.competencies.factories import AreaFactory, CompetencyFactory, FrameworkFactory
from tests.factories import UserFactory

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
NEW_URL = reverse("imh_competencies:external_learning_new")
LIST_URL = reverse("imh_competencies:external_learning")
Status = ExternalLearning.Status


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


def _data(chosen=None, **overrides) -> dict:
    data = {
        "framework": "imh" if chosen else "",
        "title": "Newborn Behavioural Observation training",
        "provider": "Brazelton Centre UK",
        "completed_on": (timezone.localdate() - datetime.timedelta(days=30)).isoformat(),
        "hours": "7.5",
        "participatory": "on",
        "reflection": "I now pause and watch the baby's cues before I speak.",
    }
    if chosen:
        data.update({"competencies": [str(chosen[0].pk), str(chosen[1].pk)], "level": "2"})
    data.update(overrides)
    return data


def _log(user, **fields) -> ExternalLearning:
    fields.setdefault("title", "Attachment conference")
    fields.setdefault("provider", "AIMH UK")
    fields.setdefault("completed_on", timezone.localdate() - datetime.timedelta(days=10))
    fields.setdefault("hours", Decimal("5.0"))
    return services.external_learning_create(user=user, **fields)


@pytest.fixture
def submission(trainee, framework, competencies):
    return _log(
        trainee,
        framework=framework,
        title="NBO training",
        provider="Brazelton Centre UK",
        completed_on=timezone.localdate(),
        hours=Decimal("7.5"),
        claims=[(competencies[0].pk, 2), (competencies[1].pk, 1)],
        evidence_file=SimpleUploadedFile("NBO certificate.pdf", PDF),
    )


@pytest.fixture
def verified(submission, educator):
    return services.external_learning_verify(external_learning=submission, actor=educator)


def _edit_url(item) -> str:
    return reverse("imh_competencies:external_learning_edit", args=[item.pk])


# Logging it.


def test_choose_a_framework_or_none_first(client, trainee, framework):
    client.force_login(trainee)
    html = client.get(NEW_URL).content.decode()
    assert "Which framework does this learning count towards?" in html
    assert "None: only log it for my CPD" in html
    assert "Attunement" in client.get(NEW_URL, {"framework": "imh"}).content.decode()
    cpd_only = client.get(NEW_URL, {"framework": ""}).content.decode()
    assert "Attunement" not in cpd_only
    assert "This learning involved other people" in cpd_only
    assert 'type="date"' in cpd_only
    assert 'enctype="multipart/form-data"' in cpd_only


def test_without_frameworks_the_form_comes_straight_away(client, trainee):
    assert not Framework.objects.exists()
    client.force_login(trainee)
    html = client.get(NEW_URL).content.decode()
    assert "Title of the learning" in html
    assert "Which framework" not in html


def test_log_for_cpd_only_needs_no_review(client, trainee, educator):
    client.force_login(trainee)
    upload = SimpleUploadedFile("My certificate.pdf", PDF, content_type="application/pdf")
    response = client.post(NEW_URL, {**_data(), "evidence_file": upload})
    assert response.status_code == 302
    item = ExternalLearning.objects.get()
    assert item.user == trainee
    assert item.status == Status.LOGGED
    assert item.hours == Decimal("7.5")
    assert item.participatory is True
    assert item.reflection.startswith("I now pause")
    assert not item.claims.exists()
    assert item.evidence_file.name.startswith("private/competencies/external-learning/")
    assert "My certificate" not in item.evidence_file.name
    assert item.evidence_file_name == "My certificate.pdf"
    detail = client.get(response["Location"]).content.decode()
    assert "Logged for CPD" in detail
    assert "no educator reviews it" in detail
    # Not the educators' business: it is not in their queue and its id is a 404 to them.
    client.force_login(educator)
    assert (
        "Newborn Behavioural"
        not in client.get(reverse("external_learning_review:index")).content.decode()
    )
    review = reverse("external_learning_review:review", args=[item.pk])
    assert client.get(review).status_code == 404
    file_url = reverse("imh_competencies:external_learning_file", args=[item.pk])
    assert client.get(file_url).status_code == 404
    with pytest.raises(ValidationError, match="nothing to review"):
        services.external_learning_verify(external_learning=item, actor=educator)


def test_claiming_competencies_waits_for_review(client, trainee, framework, competencies):
    client.force_login(trainee)
    upload = SimpleUploadedFile("My certificate.pdf", PDF, content_type="application/pdf")
    response = client.post(NEW_URL, {**_data(competencies), "evidence_file": upload})
    assert response.status_code == 302
    item = ExternalLearning.objects.get()
    assert item.status == Status.PENDING
    assert sorted(item.claims.values_list("level", flat=True)) == [2, 2]
    assert not Evidence.objects.exists()
    detail = client.get(response["Location"]).content.decode()
    assert "Waiting for review" in detail
    assert "1.1 Attunement at Level 2" in detail
    assert item.title in client.get(LIST_URL).content.decode()


def test_list_queries_do_not_grow_with_records(
    client, trainee, framework, competencies, django_assert_max_num_queries
):
    for number in range(5):
        _log(trainee, title=f"Study day {number}")
        _log(
            trainee,
            title=f"Claimed day {number}",
            framework=framework,
            claims=[(competencies[0].pk, 1), (competencies[1].pk, 2)],
        )
    client.force_login(trainee)
    client.get(LIST_URL)  # warm caches (site, settings)
    with django_assert_max_num_queries(12):
        html = client.get(LIST_URL).content.decode()
    assert html.count("Study day") == 5
    assert html.count("Claimed day") == 5


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"completed_on": "2999-01-01"}, "The date completed must be today or in the past."),
        ({"completed_on": "2025-02-30"}, "Enter the date completed as a real date."),
        ({"hours": "0"}, "Enter the hours as a number greater than 0, like 3 or 7.5."),
        ({"hours": "-2"}, "Enter the hours as a number greater than 0, like 3 or 7.5."),
        ({"hours": "lots"}, "Enter the hours as a number, like 3 or 7.5."),
        ({"title": ""}, "Enter the title of the learning."),
        ({"provider": "  "}, "Enter who provided the learning."),
    ],
)
def test_bad_input_is_refused_and_nothing_stored(client, trainee, overrides, message):
    client.force_login(trainee)
    response = client.post(NEW_URL, _data(**overrides))
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert "There is a problem" in html
    assert "Error:" in html
    assert not ExternalLearning.objects.exists()


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


def test_missing_competencies_and_bad_levels_are_refused(client, trainee, competencies):
    client.force_login(trainee)
    response = client.post(NEW_URL, {**_data(competencies), "competencies": []})
    assert "Choose at least one competency this learning developed." in response.content.decode()
    response = client.post(NEW_URL, _data(competencies, level="5"))
    assert "Choose a level from Level 1 to Level 3." in response.content.decode()
    assert not ExternalLearning.objects.exists()


def test_service_refuses_bad_hours_dates_and_claims(trainee, framework, competencies):
    with pytest.raises(ValidationError, match="greater than 0"):
        _log(trainee, hours=Decimal("0"))
    with pytest.raises(ValidationError, match="today or in the past"):
        _log(trainee, completed_on=timezone.localdate() + datetime.timedelta(days=1))
    with pytest.raises(ValidationError, match="Choose the framework"):
        _log(trainee, claims=[(competencies[0].pk, 1)])
    other = CompetencyFactory(area=AreaFactory(framework=FrameworkFactory()))
    with pytest.raises(ValidationError, match="Choose competencies from Infant mental health"):
        _log(trainee, framework=framework, claims=[(other.pk, 1)])
    assert not ExternalLearning.objects.exists()


def test_database_refuses_hours_that_are_not_positive(trainee):
    with pytest.raises(IntegrityError), transaction.atomic():
        ExternalLearning.objects.create(
            user=trainee,
            title="x",
            provider="y",
            completed_on=timezone.localdate(),
            hours=Decimal("0"),
        )


# Changing it.


def test_change_and_replace_the_file(client, trainee, django_capture_on_commit_callbacks):
    item = _log(trainee, evidence_file=SimpleUploadedFile("old.pdf", PDF))
    old_name, storage = item.evidence_file.name, item.evidence_file.storage
    client.force_login(trainee)
    html = client.get(_edit_url(item)).content.decode()
    assert "Attachment conference" in html
    assert "Remove the evidence file" in html
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _edit_url(item),
            {**_data(title="Changed title"), "evidence_file": SimpleUploadedFile("new.png", PNG)},
        )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.title == "Changed title"
    assert item.evidence_file_name == "new.png"
    assert item.status == Status.LOGGED
    assert not storage.exists(old_name)
    assert storage.exists(item.evidence_file.name)


def test_remove_the_file(client, trainee, django_capture_on_commit_callbacks):
    item = _log(trainee, evidence_file=SimpleUploadedFile("old.pdf", PDF))
    name, storage = item.evidence_file.name, item.evidence_file.storage
    client.force_login(trainee)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_edit_url(item), {**_data(), "remove_evidence": "on"})
    item.refresh_from_db()
    assert not item.evidence_file
    assert item.evidence_file_name == ""
    assert not storage.exists(name)


def test_change_with_bad_input_changes_nothing(client, trainee):
    item = _log(trainee)
    client.force_login(trainee)
    response = client.post(_edit_url(item), _data(title="New", hours="0"))
    assert response.status_code == 200
    item.refresh_from_db()
    assert item.title == "Attachment conference"


def test_changing_the_reflection_keeps_the_verification(trainee, verified, framework):
    services.external_learning_update(
        external_learning=verified,
        actor=trainee,
        title=verified.title,
        provider=verified.provider,
        completed_on=verified.completed_on,
        hours=Decimal("7.50"),
        reflection="Added later: I use this every week.",
        framework=framework,
        claims=[(claim.competency_id, claim.level) for claim in verified.claims.all()],
    )
    verified.refresh_from_db()
    assert verified.status == Status.VERIFIED
    assert verified.reviewed_by is not None
    details = set(Evidence.objects.filter(user=trainee).values_list("detail", flat=True))
    assert details == {"Added later: I use this every week."}


def test_changing_what_was_checked_sends_it_back_for_review(
    client, trainee, verified, competencies
):
    assert Evidence.objects.filter(user=trainee).count() == 2
    client.force_login(trainee)
    assert "an educator checks it again" in client.get(_edit_url(verified)).content.decode()
    response = client.post(
        _edit_url(verified), {**_data(competencies, hours="9", level="1"), "framework": "imh"}
    )
    assert response.status_code == 302
    verified.refresh_from_db()
    assert verified.status == Status.PENDING
    assert verified.reviewed_by is None
    assert verified.hours == Decimal("9")
    assert sorted(verified.claims.values_list("level", flat=True)) == [1, 1]
    assert not Evidence.objects.filter(user=trainee).exists()


def test_changing_a_rejected_record_sends_it_again(trainee, educator, submission, framework):
    services.external_learning_reject(
        external_learning=submission, actor=educator, reason="The file is not readable."
    )
    services.external_learning_update(
        external_learning=submission,
        actor=trainee,
        title=submission.title,
        provider=submission.provider,
        completed_on=submission.completed_on,
        hours=submission.hours,
        evidence_file=SimpleUploadedFile("readable.pdf", PDF),
        framework=framework,
        claims=[(claim.competency_id, claim.level) for claim in submission.claims.all()],
    )
    submission.refresh_from_db()
    assert submission.status == Status.PENDING
    assert submission.rejection_reason == ""


def test_dropping_the_claims_logs_it_for_cpd_only(client, trainee, verified):
    client.force_login(trainee)
    html = client.get(_edit_url(verified), {"choose": "1"}).content.decode()
    assert "Which framework does this learning count towards?" in html
    assert 'value="imh" checked' in html
    response = client.post(_edit_url(verified) + "?framework=", _data(title=verified.title))
    assert response.status_code == 302
    verified.refresh_from_db()
    assert verified.status == Status.LOGGED
    assert not verified.claims.exists()
    assert not Evidence.objects.filter(user=trainee).exists()


def test_only_the_owner_changes_it(trainee, submission):
    with pytest.raises(PermissionDenied):
        services.external_learning_update(
            external_learning=submission,
            actor=UserFactory(),
            title="Taken over",
            provider="x",
            completed_on=timezone.localdate(),
            hours=1,
        )


# Reviewing in the admin.


def test_the_review_list_still_opens_once_a_reviewer_has_left(client, verified):
    reviewer = verified.reviewed_by
    reviewer.delete()
    other = UserFactory()
    other.groups.add(Group.objects.get(name="Educators"))
    client.force_login(other)
    response = client.get(reverse("external_learning_review:index"))
    assert response.status_code == 200
    assert verified.title in response.content.decode()


def test_educator_verifies_and_evidence_appears(
    client, educator, trainee, submission, competencies, django_capture_on_commit_callbacks
):
    client.force_login(educator)
    index = client.get(reverse("external_learning_review:index"))
    assert index.status_code == 200
    assert "NBO training" in index.content.decode()
    url = reverse("external_learning_review:review", args=[submission.pk])
    page = client.get(url).content.decode()
    assert "Tara Trainee" in page
    assert "1.1 Attunement at Level 2" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"action": "verify"})
    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.status == Status.VERIFIED
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
    assert submission.status == Status.PENDING
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"action": "reject", "reason": "The certificate is not readable."})
    submission.refresh_from_db()
    assert submission.status == Status.REJECTED
    assert not Evidence.objects.filter(user=trainee).exists()
    assert "The certificate is not readable." in mail.outbox[-1].body
    assert "It still counts towards your CPD hours." in mail.outbox[-1].body
    client.force_login(trainee)
    html = client.get(
        reverse("imh_competencies:external_learning_detail", args=[submission.pk])
    ).content.decode()
    assert "The certificate is not readable." in html


def test_rejecting_after_verifying_withdraws_the_evidence(educator, trainee, verified):
    assert Evidence.objects.filter(user=trainee).count() == 2
    services.external_learning_reject(
        external_learning=verified, actor=educator, reason="Verified by mistake."
    )
    assert not Evidence.objects.filter(user=trainee).exists()


def test_trainees_cannot_review(client, trainee, submission):
    client.force_login(trainee)
    url = reverse("external_learning_review:review", args=[submission.pk])
    assert client.post(url, {"action": "verify"}).status_code in {302, 403}
    with pytest.raises(PermissionDenied):
        services.external_learning_verify(external_learning=submission, actor=trainee)
    submission.refresh_from_db()
    assert submission.status == Status.PENDING


def test_an_educator_cannot_verify_their_own(educator, framework, competencies):
    own = _log(educator, framework=framework, claims=[(competencies[0].pk, 1)])
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


def test_other_trainee_cannot_see_or_change_it(client, submission):
    client.force_login(UserFactory())
    detail = reverse("imh_competencies:external_learning_detail", args=[submission.pk])
    assert client.get(detail).status_code == 404
    assert client.get(_edit_url(submission)).status_code == 404
    assert client.post(_edit_url(submission), _data(title="Taken over")).status_code == 404
    remove = reverse("imh_competencies:external_learning_delete", args=[submission.pk])
    assert client.post(remove).status_code == 404
    submission.refresh_from_db()
    assert submission.title == "NBO training"


def test_owner_removes_it_with_its_file_and_evidence(
    client, trainee, verified, django_capture_on_commit_callbacks
):
    storage = verified.evidence_file.storage
    name = verified.evidence_file.name
    assert storage.exists(name)
    client.force_login(trainee)
    url = reverse("imh_competencies:external_learning_delete", args=[verified.pk])
    html = client.get(url).content.decode()
    assert "Remove “NBO training”?" in html
    assert "It no longer counts towards your CPD hours." in html
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 302
    assert not ExternalLearning.objects.exists()
    assert not Evidence.objects.filter(user=trainee).exists()
    assert not storage.exists(name)
