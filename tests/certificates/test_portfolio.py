"""The CPD portfolio: page, external CPD (add, change, remove, evidence), exports, data rights."""

from __future__ import annotations

import csv
import datetime
import io
import shutil
import subprocess
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from imh_accounts import privacy
from imh_certificates import portfolio as services
from imh_certificates.models import Certificate, ExternalCPD
from tests.certificates.factories import CertificateFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
PORTFOLIO = reverse("imh_certificates:portfolio")
NEW = reverse("imh_certificates:external_cpd_new")


@pytest.fixture
def trainee():
    return UserFactory(first_name="Tara", last_name="Trainee")


@pytest.fixture
def logged_in(client, trainee):
    client.force_login(trainee)
    return client


def _data(**overrides) -> dict:
    data = {
        "title": "Newborn Behavioural Observation study day",
        "provider": "Brazelton Centre UK",
        "completed_on": (timezone.localdate() - datetime.timedelta(days=30)).isoformat(),
        "hours": "6.5",
        "participatory": "on",
        "reflection": "I now pause and watch the baby's cues before I speak.",
    }
    data.update(overrides)
    return data


def _entry(user, **fields) -> ExternalCPD:
    fields.setdefault("title", "Attachment conference")
    fields.setdefault("provider", "AIMH UK")
    fields.setdefault("completed_on", timezone.localdate() - datetime.timedelta(days=10))
    fields.setdefault("hours", Decimal("5.0"))
    return services.external_cpd_create(user=user, **fields)


# The page.


def test_login_required(client):
    response = client.get(PORTFOLIO)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_page_lists_certificates_external_cpd_and_totals(logged_in, trainee):
    valid = CertificateFactory(
        holder=trainee, title="Infant mental health foundations", cpd_hours=Decimal("3.0")
    )
    Certificate.objects.filter(pk=valid.pk).update(pdf_status=Certificate.PdfStatus.READY)
    expired = CertificateFactory(
        holder=trainee,
        title="Safeguarding babies",
        cpd_hours=Decimal("2.0"),
        expires_on=timezone.localdate() - datetime.timedelta(days=1),
    )
    revoked = CertificateFactory(
        holder=trainee,
        title="Revoked course",
        cpd_hours=Decimal("10.0"),
        status=Certificate.Status.REVOKED,
        revoked_reason="Issued in error.",
    )
    CertificateFactory(title="Someone else's course")
    _entry(trainee, title="Attachment conference", hours=Decimal("5.0"))

    html = logged_in.get(PORTFOLIO).content.decode()

    assert "Infant mental health foundations" in html
    assert valid.code in html
    assert f"/certificates/{valid.code}/pdf/" in html
    assert expired.code in html
    assert "Expired" in html
    assert revoked.code in html
    assert "Revoked" in html
    assert "Issued in error." in html
    assert "Someone else" not in html
    assert "Attachment conference" in html
    # 3 + 2 from imh_certificates (the revoked one does not count), 5 from elsewhere.
    assert "<strong>10 hours</strong>" in html
    assert "The PDF is being made" in html  # the expired one has no PDF yet
    assert reverse("imh_certificates:portfolio_csv") in html
    assert reverse("imh_certificates:portfolio_pdf") in html


def test_navigation_links_to_the_portfolio(logged_in):
    html = logged_in.get(PORTFOLIO).content.decode()
    assert f'href="{PORTFOLIO}"' in html
    assert "CPD portfolio" in html


def test_lesson_reflections_show(logged_in, trainee):
    from imh_courses.services.learning import enrolment_create, reflection_save
    from tests.courses.factories import add_reflection_prompt, create_course, lessons_of

    course = create_course(modules=1, lessons_per_module=1)
    lesson = lessons_of(course)[0]
    add_reflection_prompt(lesson, block_id="r1", prompt="What did the baby tell you?")
    enrolment_create(user=trainee, course=course)
    reflection_save(user=trainee, lesson=lesson, block_id="r1", text="She turned <b>away</b>.")

    html = logged_in.get(PORTFOLIO).content.decode()
    assert "What did the baby tell you?" in html
    assert "She turned &lt;b&gt;away&lt;/b&gt;." in html
    assert lesson.title in html


def test_page_queries_do_not_grow_with_entries(logged_in, trainee, django_assert_max_num_queries):
    for number in range(5):
        CertificateFactory(holder=trainee, title=f"Course {number}")
        _entry(trainee, title=f"Day {number}")
    with django_assert_max_num_queries(20):
        assert logged_in.get(PORTFOLIO).status_code == 200


# External CPD.


def test_add_form(logged_in):
    html = logged_in.get(NEW).content.decode()
    assert "Add CPD you did elsewhere" in html
    assert 'enctype="multipart/form-data"' in html
    assert "This learning involved other people" in html
    assert 'type="date"' in html


def test_add_external_cpd_with_evidence(logged_in, trainee):
    upload = SimpleUploadedFile("My certificate.pdf", PDF, content_type="application/pdf")
    response = logged_in.post(NEW, {**_data(), "evidence_file": upload})
    assert response.status_code == 302
    item = ExternalCPD.objects.get()
    assert item.user == trainee
    assert item.hours == Decimal("6.5")
    assert item.participatory is True
    assert item.evidence_file.name.startswith("private/certificates/external-cpd/")
    assert "My certificate" not in item.evidence_file.name
    assert item.evidence_file_name == "My certificate.pdf"
    html = logged_in.get(PORTFOLIO).content.decode()
    assert "Newborn Behavioural Observation study day" in html
    assert reverse("imh_certificates:external_cpd_evidence", args=[item.pk]) in html


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
def test_bad_input_is_refused_and_nothing_stored(logged_in, overrides, message):
    response = logged_in.post(NEW, _data(**overrides))
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert "There is a problem" in html
    assert "Error:" in html
    assert not ExternalCPD.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("virus.exe", PDF, "The file must be a PDF, Word (.docx), JPG or PNG file."),
        ("page.html", b"<html></html>", "The file must be a PDF, Word (.docx), JPG or PNG file."),
        ("fake.pdf", PNG, "The file is not a real PDF file."),
        ("huge.pdf", PDF + b"0" * (10 * 1024 * 1024), "The file must be smaller than 10 MB."),
    ],
)
def test_bad_files_are_refused_and_nothing_stored(logged_in, name, content, message):
    response = logged_in.post(NEW, {**_data(), "evidence_file": SimpleUploadedFile(name, content)})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ExternalCPD.objects.exists()


def test_service_refuses_bad_hours_and_dates(trainee):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="greater than 0"):
        _entry(trainee, hours=Decimal("0"))
    with pytest.raises(ValidationError, match="today or in the past"):
        _entry(trainee, completed_on=timezone.localdate() + datetime.timedelta(days=1))
    assert not ExternalCPD.objects.exists()


def test_database_refuses_hours_that_are_not_positive(trainee):
    with pytest.raises(IntegrityError), transaction.atomic():
        ExternalCPD.objects.create(
            user=trainee,
            title="x",
            provider="y",
            completed_on=timezone.localdate(),
            hours=Decimal("0"),
        )


def test_edit_external_cpd_and_replace_the_file(
    logged_in, trainee, django_capture_on_commit_callbacks
):
    item = _entry(trainee, evidence_file=SimpleUploadedFile("old.pdf", PDF))
    old_name = item.evidence_file.name
    storage = item.evidence_file.storage
    url = reverse("imh_certificates:external_cpd_edit", args=[item.pk])
    assert "Attachment conference" in logged_in.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = logged_in.post(
            url,
            {**_data(title="Changed title"), "evidence_file": SimpleUploadedFile("new.png", PNG)},
        )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.title == "Changed title"
    assert item.evidence_file_name == "new.png"
    assert not storage.exists(old_name)
    assert storage.exists(item.evidence_file.name)


def test_edit_with_bad_input_changes_nothing(logged_in, trainee):
    item = _entry(trainee)
    url = reverse("imh_certificates:external_cpd_edit", args=[item.pk])
    response = logged_in.post(url, _data(title="New", hours="0"))
    assert response.status_code == 200
    item.refresh_from_db()
    assert item.title == "Attachment conference"


def test_delete_external_cpd_removes_the_file(
    logged_in, trainee, django_capture_on_commit_callbacks
):
    item = _entry(trainee, evidence_file=SimpleUploadedFile("e.pdf", PDF))
    name, storage = item.evidence_file.name, item.evidence_file.storage
    url = reverse("imh_certificates:external_cpd_delete", args=[item.pk])
    assert "Remove “Attachment conference”?" in logged_in.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        assert logged_in.post(url).status_code == 302
    assert not ExternalCPD.objects.exists()
    assert not storage.exists(name)


def test_someone_elses_entry_is_a_404(client, trainee):
    item = _entry(trainee, evidence_file=SimpleUploadedFile("e.pdf", PDF))
    client.force_login(UserFactory())
    for name in ("external_cpd_edit", "external_cpd_delete", "external_cpd_evidence"):
        assert client.get(reverse(f"imh_certificates:{name}", args=[item.pk])).status_code == 404
    assert (
        client.post(reverse("imh_certificates:external_cpd_delete", args=[item.pk])).status_code
        == 404
    )
    assert ExternalCPD.objects.filter(pk=item.pk).exists()


def test_evidence_downloads_as_an_attachment_to_its_owner(logged_in, trainee):
    item = _entry(trainee, evidence_file=SimpleUploadedFile("My evidence.pdf", PDF))
    response = logged_in.get(reverse("imh_certificates:external_cpd_evidence", args=[item.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "My evidence.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF
    without = _entry(trainee)
    url = reverse("imh_certificates:external_cpd_evidence", args=[without.pk])
    assert logged_in.get(url).status_code == 404


# Exports.


def _csv_rows(client) -> list[list[str]]:
    response = client.get(reverse("imh_certificates:portfolio_csv"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="cpd-portfolio-')
    text = response.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_csv_for_revalidation(logged_in, trainee):
    online = CertificateFactory(
        holder=trainee,
        title="Infant mental health foundations",
        cpd_hours=Decimal("3.0"),
        completed_on=datetime.date(2026, 5, 1),
    )
    CertificateFactory(
        holder=trainee,
        title="Video interaction workshop",
        cpd_hours=Decimal("4.0"),
        completed_on=datetime.date(2026, 6, 1),
        sessions=[{"title": "Workshop", "date": "2026-06-01"}],
    )
    CertificateFactory(
        holder=trainee,
        title="Revoked",
        status=Certificate.Status.REVOKED,
        revoked_reason="Issued in error.",
    )
    _entry(
        trainee,
        title="Study day",
        provider="Trust",
        completed_on=datetime.date(2026, 7, 1),
        hours=Decimal("6.5"),
        reflection="Changed how I start visits.",
    )
    rows = _csv_rows(logged_in)
    assert rows[0] == services.CSV_HEADER
    assert [row[2] for row in rows[1:]] == [
        "Infant mental health foundations",
        "Video interaction workshop",
        "Study day",
    ]
    first, second, third = rows[1:]
    assert first[:3] == ["2026-05-01", "Online learning course", "Infant mental health foundations"]
    assert first[5:9] == ["3.0", "No", "0", online.code]
    assert first[9].endswith(f"/verify/{online.code}/")
    assert second[5:8] == ["4.0", "Yes", "4.0"]
    assert third[1] == "External learning"
    assert third[6] == "No"
    assert third[10] == "Changed how I start visits."


def test_csv_neutralises_formulas(logged_in, trainee):
    _entry(
        trainee,
        title='=HYPERLINK("http://evil.example","click")',
        provider="+44 trust",
        reflection="-1+1",
    )
    _entry(trainee, title="@SUM(A1:A2)", provider="Ordinary provider")
    rows = _csv_rows(logged_in)
    cells = [cell for row in rows[1:] for cell in row]
    assert '\'=HYPERLINK("http://evil.example","click")' in cells
    assert "'+44 trust" in cells
    assert "'-1+1" in cells
    assert "'@SUM(A1:A2)" in cells
    assert "Ordinary provider" in cells
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)


def test_spreadsheet_safe():
    assert services.spreadsheet_safe("=1+1") == "'=1+1"
    assert services.spreadsheet_safe("\t=1") == "'\t=1"
    assert services.spreadsheet_safe("plain") == "plain"
    assert services.spreadsheet_safe(None) == ""


@pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed"
)
def test_pdf_export_text(logged_in, trainee, tmp_path):
    certificate = CertificateFactory(holder=trainee, title="Infant mental health foundations")
    _entry(
        trainee,
        title='<img src="file:///etc/passwd"> Study day',
        reflection="I learnt to wait and watch.",
    )
    response = logged_in.get(reverse("imh_certificates:portfolio_pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="cpd-portfolio-')
    path = tmp_path / "portfolio.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(  # noqa: S603
        [shutil.which("pdftotext"), str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    text = " ".join(text.split())
    assert "CPD portfolio" in text
    assert "Tara Trainee" in text
    assert "Infant mental health foundations" in text
    assert certificate.code in text
    assert '<img src="file:///etc/passwd"> Study day' in text
    assert "I learnt to wait and watch." in text
    assert "Total CPD hours" in text
    assert "root:" not in text


def test_pdf_fetches_nothing_from_outside(trainee, monkeypatch):
    from imh_certificates import rendering

    fetched: list[str] = []
    original = rendering.SafeURLFetcher.fetch

    def spy(self, url, headers=None):
        fetched.append(url)
        return original(self, url, headers)

    monkeypatch.setattr(rendering.SafeURLFetcher, "fetch", spy)
    _entry(trainee, title='<img src="file:///etc/passwd"><link rel="stylesheet" href="http://x/">')
    services.portfolio_pdf(user=trainee)
    assert fetched == []


# Data rights.


def test_privacy_export_and_erase(trainee, django_capture_on_commit_callbacks):
    item = _entry(
        trainee,
        title="Study day",
        reflection="Reflective note",
        evidence_file=SimpleUploadedFile("e.pdf", PDF),
    )
    other = _entry(UserFactory(), title="Not theirs")
    data = privacy.exporters()["certificates_external_cpd"](trainee)
    assert [entry["title"] for entry in data] == ["Study day"]
    assert data[0]["reflection"] == "Reflective note"
    assert data[0]["hours"] == "5.0"
    name, storage = item.evidence_file.name, item.evidence_file.storage
    with django_capture_on_commit_callbacks(execute=True):
        privacy.erasers()["certificates_external_cpd"](trainee)
    assert not ExternalCPD.objects.filter(user=trainee).exists()
    assert not storage.exists(name)
    assert ExternalCPD.objects.filter(pk=other.pk).exists()
