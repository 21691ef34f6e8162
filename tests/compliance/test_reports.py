"""PDF inspection reports: requesting, rendering, pages, downloads and who may see them."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.urls import reverse

from imh_compliance import exports
from imh_compliance.models import AccessEvent, Assignment, Report
from imh_compliance.selectors.matrix import MatrixFilters
from imh_compliance.services.reports import report_request, reports_delete_expired
from imh_compliance.tasks import reports as report_tasks
from imh_organisations.models import Team
from tests.certificates.pdftools import pdf_info, pdf_text, requires_poppler

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 6, 1, 9, 30, tzinfo=datetime.UTC)
HOSTILE_HTML = "<img src=file:///etc/passwd>"
HOSTILE_FORMULA = '=HYPERLINK("http://evil.example","x")'


@pytest.fixture
def traveller():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _assign(organisation, membership, course, due_on):
    return Assignment.objects.create(
        organisation=organisation,
        user=membership.user,
        course=course,
        due_on=due_on,
        source=Assignment.Source.MANAGER,
    )


@pytest.fixture
def staffed(organisation, course, staff_membership, member):
    visitor = member(name="Harper Visitor")
    _assign(organisation, staff_membership, course, datetime.date(2026, 5, 1))
    _assign(organisation, visitor, course, datetime.date(2026, 7, 1))
    return staff_membership, visitor


def _ready_report(organisation, manager, pdf=b"%PDF-1.7 test"):
    report = Report.objects.create(
        organisation=organisation, requested_by=manager, status=Report.Status.READY
    )
    report.pdf.save("report.pdf", ContentFile(pdf))
    return report


# The service.


def test_request_makes_a_report_and_queues_the_render(
    organisation, manager, staffed, traveller, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(exports, "report_pdf", lambda **kwargs: b"%PDF-1.7 fake")
    filters = MatrixFilters(role="midwife")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        report = report_request(organisation=organisation, actor=manager, filters=filters)
    assert len(callbacks) == 1
    report.refresh_from_db()
    assert report.requested_by == manager
    assert report.filters == filters.as_dict()
    assert report.status == Report.Status.READY
    assert report.pdf.read() == b"%PDF-1.7 fake"
    assert report.finished_at == NOW


def test_a_pending_request_is_returned_instead_of_a_new_one(
    organisation, manager, traveller, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        first = report_request(organisation=organisation, actor=manager, filters=MatrixFilters())
        second = report_request(
            organisation=organisation, actor=manager, filters=MatrixFilters(role="midwife")
        )
    assert second.pk == first.pk
    assert len(callbacks) == 1  # queued once
    assert Report.objects.count() == 1
    # Ten minutes on, the pending one is presumed lost and a new one can be asked for.
    traveller.shift(datetime.timedelta(minutes=10, seconds=1))
    with django_capture_on_commit_callbacks():
        third = report_request(organisation=organisation, actor=manager, filters=MatrixFilters())
    assert third.pk != first.pk


def test_another_managers_pending_report_does_not_block(
    organisation, manager, member, django_capture_on_commit_callbacks
):
    colleague = member(membership_role="manager").user
    with django_capture_on_commit_callbacks():
        mine = report_request(organisation=organisation, actor=manager, filters=MatrixFilters())
        theirs = report_request(organisation=organisation, actor=colleague, filters=MatrixFilters())
    assert mine.pk != theirs.pk


def test_only_managers_may_request(organisation, staff, other_manager):
    for actor in (staff, other_manager):
        with pytest.raises(PermissionDenied):
            report_request(organisation=organisation, actor=actor, filters=MatrixFilters())
    assert not Report.objects.exists()


# The task.


def test_render_failure_is_recorded(organisation, manager, monkeypatch, traveller):
    def broken(**kwargs):
        raise RuntimeError("fonts are missing")

    monkeypatch.setattr(exports, "report_pdf", broken)
    report = Report.objects.create(organisation=organisation, requested_by=manager)
    assert report_tasks.report_render(report_id=report.pk) == "failed"
    report.refresh_from_db()
    assert report.status == Report.Status.FAILED
    assert report.error == "RuntimeError: fonts are missing"
    assert report.finished_at == NOW
    assert not report.pdf
    # Finished reports are not rendered again.
    assert report_tasks.report_render(report_id=report.pk) == "already failed"
    assert report_tasks.report_render(report_id=report.pk + 100) == "missing"


@requires_poppler
def test_the_pdf_says_what_inspectors_need(
    organisation, manager, course, member, staffed, traveller
):
    organisation.ods_code = "RX1"
    organisation.save()
    team = Team.objects.create(organisation=organisation, name="Blue team")
    for name in (HOSTILE_HTML, HOSTILE_FORMULA):
        hostile = member(name=name)
        hostile.team = team
        hostile.save()
        _assign(organisation, hostile, course, datetime.date(2026, 7, 1))
    report = Report.objects.create(
        organisation=organisation,
        requested_by=manager,
        filters=MatrixFilters(team_id=team.pk).as_dict(),
    )
    assert report_tasks.compliance_report_render_task.call(report.pk) == "ready"
    report.refresh_from_db()
    pdf = report.pdf.read()
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf)
    for expected in (
        "Staff compliance report",
        "Riverside Nursery",
        "ODS code RX1",
        "1 June 2026",
        "Morgan Manager",
        "Team: Blue team",
        "Members 2",
        "Not compliant 0",
        "On track 2",
        "Safeguarding babies",
        "Not started, due 1 Jul 2026",
        HOSTILE_HTML,
        HOSTILE_FORMULA,
        "Page 1 of 1",
        "Generated from IMH Learning on 1 June 2026",
    ):
        assert expected in text, expected
    assert "Sam Midwife" not in text  # not in the team
    info = pdf_info(pdf)
    assert info["Tagged"] == "yes"
    assert "landscape" in info.get("Page size", "") or info["Page size"].startswith("841.89")


# The pages.


def test_report_list_offers_the_current_view(as_user, manager, organisation, staffed):
    team = Team.objects.create(organisation=organisation, name="Blue team")
    response = as_user(manager).get(
        reverse("imh_compliance:reports", args=[organisation.pk]),
        {"role": "midwife", "team": team.pk, "page": "3"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Create a PDF report of the current view" in html
    assert '<input type="hidden" name="role" value="midwife">' in html
    assert f'<input type="hidden" name="team" value="{team.pk}">' in html
    assert 'name="page"' not in html
    assert "Role: Midwife" in html
    assert "Team: Blue team" in html


def test_posting_makes_a_report_and_shows_its_status(
    as_user, manager, organisation, staffed, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(exports, "report_pdf", lambda **kwargs: b"%PDF-1.7 fake")
    client = as_user(manager)
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(
            reverse("imh_compliance:reports", args=[organisation.pk]), {"role": "midwife"}
        )
    report = Report.objects.get()
    assert report.filters["role"] == "midwife"
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "imh_compliance:report", args=[organisation.pk, report.pk]
    )
    page = client.get(response["Location"]).content.decode()
    assert '<meta http-equiv="refresh" content="5">' in page
    assert "Being prepared" in page

    report_tasks.report_render(report_id=report.pk)
    page = client.get(response["Location"]).content.decode()
    assert 'http-equiv="refresh"' not in page
    assert reverse("imh_compliance:report_download", args=[organisation.pk, report.pk]) in page
    listing = client.get(reverse("imh_compliance:reports", args=[organisation.pk])).content.decode()
    assert "Role: Midwife" in listing
    assert "Morgan Manager" in listing


def test_bad_filters_make_no_report(as_user, manager, organisation):
    response = as_user(manager).post(
        reverse("imh_compliance:reports", args=[organisation.pk]), {"status": "nonsense"}
    )
    assert response.status_code == 400
    assert "Choose a status from the list." in response.content.decode()
    assert not Report.objects.exists()


def test_a_failed_report_offers_to_try_again(as_user, manager, organisation):
    report = Report.objects.create(
        organisation=organisation,
        requested_by=manager,
        status=Report.Status.FAILED,
        error="RuntimeError: secret detail",
        filters=MatrixFilters(role="midwife").as_dict(),
    )
    page = (
        as_user(manager)
        .get(reverse("imh_compliance:report", args=[organisation.pk, report.pk]))
        .content.decode()
    )
    assert "could not be made" in page
    assert "Try again" in page
    assert '<input type="hidden" name="role" value="midwife">' in page
    assert "secret detail" not in page


def test_download_serves_the_pdf_and_logs_it(as_user, manager, organisation, traveller):
    report = _ready_report(organisation, manager)
    response = as_user(manager).get(
        reverse("imh_compliance:report_download", args=[organisation.pk, report.pk])
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert b"".join(response.streaming_content) == b"%PDF-1.7 test"
    event = AccessEvent.objects.get()
    assert event.action == AccessEvent.Action.EXPORTED
    assert event.viewer == manager
    assert event.detail.startswith(f"PDF report {report.pk}")


def test_download_of_a_pending_report_goes_to_its_page(as_user, manager, organisation):
    report = Report.objects.create(organisation=organisation, requested_by=manager)
    response = as_user(manager).get(
        reverse("imh_compliance:report_download", args=[organisation.pk, report.pk])
    )
    assert response.status_code == 302
    assert not AccessEvent.objects.exists()


def test_another_organisations_reports_are_404(
    as_user, manager, organisation, other_organisation, other_manager, staff
):
    theirs = _ready_report(other_organisation, other_manager)
    mine = _ready_report(organisation, manager)
    client = as_user(manager)
    # Their report id under my organisation, and my organisation's pages for strangers.
    for name in ("imh_compliance:report", "imh_compliance:report_download"):
        assert client.get(reverse(name, args=[organisation.pk, theirs.pk])).status_code == 404
        assert client.get(reverse(name, args=[other_organisation.pk, theirs.pk])).status_code == 404
    assert client.get(
        reverse("imh_compliance:reports", args=[other_organisation.pk])
    ).status_code == (404)
    response = client.post(reverse("imh_compliance:reports", args=[other_organisation.pk]))
    assert response.status_code == 404
    for outsider in (other_manager, staff):
        client = as_user(outsider)
        for name in ("imh_compliance:report", "imh_compliance:report_download"):
            assert client.get(reverse(name, args=[organisation.pk, mine.pk])).status_code == 404
        assert (
            client.get(reverse("imh_compliance:reports", args=[organisation.pk])).status_code == 404
        )
    assert not AccessEvent.objects.exists()
    assert Report.objects.count() == 2


# Retention.


def test_reports_past_the_retention_period_are_deleted_with_their_pdfs(
    organisation, manager, settings, django_capture_on_commit_callbacks
):
    settings.IMH_COMPLIANCE_REPORT_RETENTION_DAYS = 30
    old = _ready_report(organisation, manager)
    recent = _ready_report(organisation, manager)
    Report.objects.filter(pk=old.pk).update(created_at=NOW - datetime.timedelta(days=31))
    Report.objects.filter(pk=recent.pk).update(created_at=NOW - datetime.timedelta(days=29))
    storage = old.pdf.storage
    assert storage.exists(old.pdf.name)

    with django_capture_on_commit_callbacks(execute=True):
        assert reports_delete_expired(now=NOW) == 1
    assert list(Report.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not storage.exists(old.pdf.name)
    assert storage.exists(recent.pdf.name)
    assert reports_delete_expired(now=NOW) == 0


def test_the_reports_page_says_how_long_reports_are_kept(as_user, manager, organisation):
    _ready_report(organisation, manager)
    page = as_user(manager).get(reverse("imh_compliance:reports", args=[organisation.pk]))
    assert "Reports are kept for 365 days after they are made" in page.content.decode()


def test_the_task_deletes_expired_reports(organisation, manager):
    report = _ready_report(organisation, manager)
    Report.objects.filter(pk=report.pk).update(created_at=report.created_at.replace(year=2000))
    assert report_tasks.reports_delete_expired_task.call() == "deleted 1"
    assert not Report.objects.exists()
