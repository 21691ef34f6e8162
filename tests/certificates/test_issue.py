"""Issuing certificates: exactly once per completion, with the snapshot courses hands over."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from imh_accounts.models import Profile
from imh_certificates import services
from imh_certificates.models import Certificate, CertificateEvent
from imh_certificates.services import certificate_issue, holder_name_for
from imh_competencies.models import PageCompetency
from imh_core.hooks import IMH_CERTIFICATE_ISSUER
from imh_courses.models import CourseCompletion, Pathway, PathwayCompletion, PathwayCourse
from imh_courses.services.learning import enrolment_create, lesson_complete
from tests.certificates.factories import CertificateFactory, CertificateTemplateFactory
from tests.competencies.factories import CompetencyFactory, FrameworkFactory
from tests.courses.factories import create_attended_booking, create_course, lessons_of
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def trainee():
    user = UserFactory(first_name="Sam", last_name="Account")
    Profile.objects.create(user=user, full_name="Samira Okafor")
    return user


@pytest.fixture
def course():
    return create_course(
        title="Infant mental health foundations",
        modules=1,
        lessons_per_module=2,
        publish=False,
        cpd_hours=Decimal("4.5"),
        certificate_validity_months=24,
    )


@pytest.fixture
def enqueued(monkeypatch):
    """Ids of certificates whose PDF render was queued (on commit)."""
    queued: list[int] = []
    monkeypatch.setattr(services, "_pdf_render_enqueue", queued.append)
    return queued


def complete_course(user, course, capture):
    enrolment_create(user=user, course=course)
    with capture(execute=True):
        for lesson in lessons_of(course):
            lesson_complete(user=user, lesson=lesson)
    return CourseCompletion.objects.get(user=user, course=course)


def issue(holder, source, **fields):
    fields.setdefault("kind", Certificate.Kind.COURSE)
    fields.setdefault("title", "Foundations")
    fields.setdefault("cpd_hours", Decimal("3.0"))
    fields.setdefault("completed_on", datetime.date(2026, 11, 2))
    return certificate_issue(holder=holder, source=source, **fields)


class TestIssue:
    def test_creates_the_certificate_with_an_issued_event(self, trainee, enqueued):
        certificate = issue(
            trainee,
            trainee.profile,
            expires_on=datetime.date(2028, 11, 2),
            competencies=[{"framework": "F", "code": "1", "name": "N", "level": 2}],
            sessions=[{"title": "Workshop", "date": "2026-10-01"}],
        )

        certificate.refresh_from_db()
        assert certificate.holder == trainee
        assert certificate.holder_name == "Samira Okafor"
        assert certificate.source_type == "imh_accounts.profile"
        assert certificate.source_id == trainee.profile.pk
        assert certificate.title == "Foundations"
        assert certificate.cpd_hours == Decimal("3.0")
        assert certificate.completed_on == datetime.date(2026, 11, 2)
        assert certificate.expires_on == datetime.date(2028, 11, 2)
        assert certificate.competencies == [
            {"framework": "F", "code": "1", "name": "N", "level": 2}
        ]
        assert certificate.sessions == [{"title": "Workshop", "date": "2026-10-01"}]
        assert certificate.status == Certificate.Status.VALID
        assert certificate.pdf_status == Certificate.PdfStatus.PENDING
        assert [e.action for e in certificate.events.all()] == ["issued"]
        assert enqueued == [certificate.pk]

    def test_issuing_again_returns_the_same_certificate_unchanged(self, trainee, enqueued):
        first = issue(trainee, trainee.profile, title="Foundations")
        again = issue(trainee, trainee.profile, title="Something else", cpd_hours=9)

        assert again.pk == first.pk
        assert again.title == "Foundations"
        assert Certificate.objects.count() == 1
        assert CertificateEvent.objects.count() == 1
        assert enqueued == [first.pk]

    def test_a_revoked_certificate_is_still_the_current_one(self, trainee, enqueued):
        first = issue(trainee, trainee.profile)
        Certificate.objects.filter(pk=first.pk).update(status="revoked", revoked_reason="Error")

        again = issue(trainee, trainee.profile)

        assert again.pk == first.pk
        assert again.status == "revoked"
        assert Certificate.objects.count() == 1

    def test_a_lost_race_returns_the_winners_certificate(self, trainee, monkeypatch, enqueued):
        """The insert fails on the constraint (another worker got there first)."""
        winner = CertificateFactory(
            holder=trainee, source_type="imh_accounts.profile", source_id=trainee.profile.pk
        )
        real = services._current_for
        calls = []

        def first_check_misses_it(**kwargs):
            calls.append(kwargs)
            return None if len(calls) == 1 else real(**kwargs)

        monkeypatch.setattr(services, "_current_for", first_check_misses_it)

        got = issue(trainee, trainee.profile)

        assert got.pk == winner.pk
        assert Certificate.objects.count() == 1
        assert enqueued == []

    def test_bad_snapshot_is_refused_and_nothing_stored(self, trainee, enqueued):
        with pytest.raises(ValidationError) as raised:
            issue(trainee, trainee.profile, cpd_hours=Decimal("-1"), title="")
        assert {"title", "cpd_hours"} <= set(raised.value.message_dict)
        assert not Certificate.objects.exists()
        assert not CertificateEvent.objects.exists()
        assert enqueued == []

    def test_unknown_kind_or_unsaved_source_is_a_programming_error(self, trainee):
        with pytest.raises(ValueError, match="kind"):
            issue(trainee, trainee.profile, kind="diploma")
        with pytest.raises(ValueError, match="saved source"):
            issue(trainee, Profile(full_name="Nobody"))
        assert not Certificate.objects.exists()


class TestConstraint:
    def test_a_second_current_certificate_for_one_source_is_refused(self):
        first = CertificateFactory()
        with pytest.raises(IntegrityError), transaction.atomic():
            CertificateFactory(source_type=first.source_type, source_id=first.source_id)

    def test_revoked_still_counts_as_current(self):
        first = CertificateFactory(status="revoked", revoked_reason="Issued in error")
        with pytest.raises(IntegrityError), transaction.atomic():
            CertificateFactory(source_type=first.source_type, source_id=first.source_id)

    def test_a_superseded_certificate_leaves_room_for_its_successor(self):
        successor = CertificateFactory()
        CertificateFactory(
            source_type=successor.source_type,
            source_id=successor.source_id,
            status="superseded",
            superseded_by=successor,
        )
        assert Certificate.objects.filter(source_id=successor.source_id).count() == 2


class TestNameAndIssuer:
    def test_name_falls_back_to_the_account_then_the_username(self):
        no_profile = UserFactory(first_name="Ada", last_name="Lovelace")
        assert holder_name_for(no_profile) == "Ada Lovelace"
        blank = UserFactory(username="blank-name", first_name="", last_name="")
        Profile.objects.create(user=blank, full_name="  ")
        assert holder_name_for(blank) == "blank-name"

    def test_name_as_at_issue_survives_a_later_change(self, trainee, enqueued):
        certificate = issue(trainee, trainee.profile)
        Profile.objects.filter(user=trainee).update(full_name="Samira Okafor-Jones")

        certificate.refresh_from_db()
        assert certificate.holder_name == "Samira Okafor"

    def test_issuer_and_signatory_from_the_default_template(self, trainee, enqueued):
        CertificateTemplateFactory(name="Spare", issuer_name="Someone else")
        template = CertificateTemplateFactory(
            name="House style",
            is_default=True,
            issuer_name="Northshire Infant Mental Health Service",
            signatory_name="Dr Priya Shah",
            signatory_role="Consultant perinatal psychologist",
        )
        certificate = issue(trainee, trainee.profile)

        assert certificate.template == template
        assert certificate.issuer_name == "Northshire Infant Mental Health Service"
        assert certificate.signatory_name == "Dr Priya Shah"
        assert certificate.signatory_role == "Consultant perinatal psychologist"

    def test_without_a_template_or_a_host_site_the_issuer_comes_from_settings(
        self, trainee, settings, enqueued, only_hooks
    ):
        only_hooks(IMH_CERTIFICATE_ISSUER)
        settings.IMH_CERTIFICATE_ISSUER_DEFAULT = "Northshire Council"
        certificate = issue(trainee, trainee.profile)
        assert certificate.template is None
        assert certificate.issuer_name == "Northshire Council"
        assert certificate.signatory_name == ""

    def test_the_built_in_issuer_when_nothing_is_set(self, trainee, settings, enqueued):
        if hasattr(settings, "IMH_CERTIFICATE_ISSUER_DEFAULT"):
            del settings.IMH_CERTIFICATE_ISSUER_DEFAULT
        assert issue(trainee, trainee.profile).issuer_name == "IMH Learning"


class TestFromCourseCompletion:
    def test_completing_a_course_issues_its_certificate_with_the_snapshot(
        self, trainee, course, django_capture_on_commit_callbacks, enqueued
    ):
        framework = FrameworkFactory(name="AIMH UK framework", levels=["Informed", "Skilled"])
        attune = CompetencyFactory(area__framework=framework, code="1.2", short_name="Attunement")
        observe = CompetencyFactory(area__framework=framework, code="2.1", short_name="Observing")
        PageCompetency.objects.create(page=course, competency=attune, level=2, sort_order=0)
        PageCompetency.objects.create(page=course, competency=observe, level=1, sort_order=1)
        create_attended_booking(user=trainee, course=course, title="Watch, wait and wonder")
        # 23:30 UTC on 30 June is 00:30 on 1 July in London: the certificate says 1 July.
        moment = datetime.datetime(2026, 6, 30, 23, 30, tzinfo=datetime.UTC)
        with time_machine.travel(moment, tick=False):
            completion = complete_course(trainee, course, django_capture_on_commit_callbacks)

        certificate = Certificate.objects.get()
        assert certificate.kind == "course"
        assert certificate.source_type == "imh_courses.coursecompletion"
        assert certificate.source_id == completion.pk
        assert certificate.holder_name == "Samira Okafor"
        assert certificate.title == "Infant mental health foundations"
        assert certificate.cpd_hours == Decimal("4.5")
        assert certificate.completed_on == datetime.date(2026, 7, 1)
        assert certificate.expires_on == completion.expires_on == datetime.date(2028, 7, 1)
        assert certificate.competencies == [
            {
                "framework": str(framework),
                "code": "1.2",
                "name": "Attunement",
                "level": 2,
                "level_label": "Skilled",
            },
            {
                "framework": str(framework),
                "code": "2.1",
                "name": "Observing",
                "level": 1,
                "level_label": "Informed",
            },
        ]
        session_date = completion.sessions_attended[0]["date"]
        assert certificate.sessions == [{"title": "Watch, wait and wonder", "date": session_date}]
        assert enqueued == [certificate.pk]

    def test_later_edits_to_the_course_change_nothing(
        self, trainee, course, django_capture_on_commit_callbacks, enqueued
    ):
        complete_course(trainee, course, django_capture_on_commit_callbacks)
        course.title = "Renamed course"
        course.cpd_hours = Decimal("9.0")
        course.save()

        certificate = Certificate.objects.get()
        assert certificate.title == "Infant mental health foundations"
        assert certificate.cpd_hours == Decimal("4.5")

    def test_nothing_is_issued_until_the_completion_commits(self, trainee, course, enqueued):
        enrolment_create(user=trainee, course=course)
        for lesson in lessons_of(course):
            lesson_complete(user=trainee, lesson=lesson)
        assert CourseCompletion.objects.exists()
        assert not Certificate.objects.exists()

    def test_a_course_without_expiry_gives_a_certificate_without_expiry(
        self, trainee, django_capture_on_commit_callbacks, enqueued
    ):
        course = create_course(modules=1, lessons_per_module=1, publish=False)
        complete_course(trainee, course, django_capture_on_commit_callbacks)
        assert Certificate.objects.get().expires_on is None


class TestPathwayCertificate:
    def test_completing_the_last_course_of_a_pathway_issues_a_pathway_certificate(
        self, trainee, django_capture_on_commit_callbacks, enqueued
    ):
        first = create_course(
            title="First",
            slug="first",
            modules=1,
            lessons_per_module=1,
            publish=False,
            cpd_hours=Decimal("2.5"),
            certificate_validity_months=12,
        )
        second = create_course(
            title="Second",
            slug="second",
            modules=1,
            lessons_per_module=1,
            publish=False,
            cpd_hours=Decimal("4.0"),
        )
        framework = FrameworkFactory()
        shared = CompetencyFactory(area__framework=framework, code="S", short_name="Shared")
        PageCompetency.objects.create(page=first, competency=shared, level=1)
        PageCompetency.objects.create(page=second, competency=shared, level=3)
        pathway = Pathway.objects.create(title="Health visitor IMH pathway", slug="hv")
        PathwayCourse.objects.create(pathway=pathway, course=first, sort_order=0)
        PathwayCourse.objects.create(pathway=pathway, course=second, sort_order=1)

        complete_course(trainee, first, django_capture_on_commit_callbacks)
        assert not Certificate.objects.filter(kind="pathway").exists()
        complete_course(trainee, second, django_capture_on_commit_callbacks)

        recorded = PathwayCompletion.objects.get()
        certificate = Certificate.objects.get(kind="pathway")
        assert certificate.source_type == "imh_courses.pathwaycompletion"
        assert certificate.source_id == recorded.pk
        assert certificate.title == "Health visitor IMH pathway"
        assert certificate.cpd_hours == Decimal("6.5")
        assert certificate.completed_on == timezone.localdate(recorded.completed_at)
        assert certificate.expires_on is None
        assert [(c["code"], c["level"]) for c in certificate.competencies] == [("S", 3)]
        assert certificate.holder_name == "Samira Okafor"
        assert Certificate.objects.filter(kind="course").count() == 2
        assert len(enqueued) == 3

    def test_the_pathway_certificate_is_issued_once(
        self, trainee, django_capture_on_commit_callbacks, enqueued
    ):
        from imh_courses.services.certificates import course_certificate_issue

        only = create_course(modules=1, lessons_per_module=1, publish=False)
        pathway = Pathway.objects.create(title="Short pathway", slug="short")
        PathwayCourse.objects.create(pathway=pathway, course=only)
        completion = complete_course(trainee, only, django_capture_on_commit_callbacks)

        course_certificate_issue(completion=completion)

        assert Certificate.objects.filter(kind="pathway").count() == 1
        assert Certificate.objects.filter(kind="course").count() == 1


class TestPdfQueued:
    @pytest.fixture
    def render_task(self, monkeypatch):
        class FakeTask:
            def __init__(self):
                self.enqueued: list[int] = []

            def enqueue(self, certificate_id):
                self.enqueued.append(certificate_id)

        fake = FakeTask()
        monkeypatch.setattr(services, "certificate_render_pdf", fake)
        return fake

    def test_the_render_is_queued_only_once_the_certificate_commits(
        self, trainee, render_task, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            certificate = issue(trainee, trainee.profile)
            assert render_task.enqueued == []
        assert render_task.enqueued == [certificate.pk]

    def test_a_queue_that_fails_does_not_undo_the_certificate(
        self, trainee, monkeypatch, django_capture_on_commit_callbacks
    ):
        class BrokenQueue:
            def enqueue(self, certificate_id):
                raise ConnectionError("queue down")

        monkeypatch.setattr(services, "certificate_render_pdf", BrokenQueue())
        with django_capture_on_commit_callbacks(execute=True):
            certificate = issue(trainee, trainee.profile)

        certificate.refresh_from_db()
        assert certificate.pdf_status == Certificate.PdfStatus.PENDING


class TestHandOverFailure:
    def test_a_failing_issue_is_logged_and_the_completion_stands(
        self, trainee, course, monkeypatch, django_capture_on_commit_callbacks, caplog
    ):
        from imh_courses.services import certificates as hand_over

        def broken(**kwargs):
            raise RuntimeError("certificate store unavailable")

        monkeypatch.setattr(hand_over, "certificate_issue", broken)

        completion = complete_course(trainee, course, django_capture_on_commit_callbacks)

        assert completion.enrolment.status == "completed"
        assert not Certificate.objects.exists()
        assert "certificate store unavailable" in caplog.text


def test_without_a_template_the_site_settings_name_the_issuer():
    from wagtail.models import Site

    from cms.models import SiteSettings
    from imh_certificates.policies import issuer_default

    settings = SiteSettings.for_site(Site.objects.get(is_default_site=True))
    settings.platform_name = "Northshire IMH Academy"
    settings.save()
    assert issuer_default()["name"] == "Northshire IMH Academy"


def test_a_completion_left_without_a_certificate_gets_one_from_the_catch_up_command(
    trainee, course, enqueued, django_capture_on_commit_callbacks
):
    from io import StringIO

    from django.core.management import call_command

    completion = complete_course(trainee, course, django_capture_on_commit_callbacks)
    Certificate.objects.filter(source_id=completion.pk).delete()

    out = StringIO()
    call_command("certificates_issue_missing", stdout=out)
    assert out.getvalue().strip() == "Issued 1 missing certificate."
    certificate = Certificate.objects.get(source_type="imh_courses.coursecompletion")
    assert certificate.source_id == completion.pk

    out = StringIO()
    call_command("certificates_issue_missing", stdout=out)
    assert out.getvalue().strip() == "Issued 0 missing certificates."
    assert Certificate.objects.count() == 1
