"""From the last lesson to a downloaded certificate PDF and its QR target, in Chromium.

A trainee with one lesson left completes it; the certificate is issued and its PDF rendered
(the test settings run tasks at once); they download the PDF from their CPD portfolio, its
text is read back with pdftotext, and the verification page the QR code points to shows the
certificate as valid.
"""

from __future__ import annotations

import re

import pytest

from imh_certificates.models import Certificate
from imh_courses.services.learning import enrolment_create, lesson_complete
from tests.certificates.pdftools import pdf_text, requires_poppler
from tests.courses.factories import create_course, lessons_of
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True), requires_poppler]


def _log_in(page, email: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/accounts/")


def test_last_lesson_to_certificate_pdf_and_verification(new_page, screenshot_dir, tmp_path):
    course = create_course(title="Attachment and attunement", modules=1, lessons_per_module=2)
    first, last = lessons_of(course)
    trainee = UserFactory(
        username="rosa", email="rosa@example.org", first_name="Rosa", last_name="Okafor"
    )
    enrolment_create(user=trainee, course=course)
    lesson_complete(user=trainee, lesson=first)
    assert not Certificate.objects.exists()

    page = new_page()
    _log_in(page, trainee.email)
    page.goto(last.url)
    page.get_by_role("button", name="Mark as complete").click()
    page.wait_for_load_state()

    certificate = Certificate.objects.get(holder=trainee)
    assert certificate.pdf_status == Certificate.PdfStatus.READY

    page.goto("/certificates/")
    assert certificate.code in page.locator("main").inner_text()
    link = page.get_by_role(
        "link", name=re.compile(r"Download the certificate for Attachment and attunement")
    )
    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.suggested_filename == f"certificate-{certificate.code}.pdf"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    text = pdf_text(saved.read_bytes())
    for expected in (
        "Rosa Okafor",
        "Attachment and attunement",
        "3 CPD hours",
        certificate.code,
        f"/verify/{certificate.code}/",
    ):
        assert expected in text, expected

    # The QR code's target, opened by someone who is not logged in.
    visitor = new_page()
    visitor.goto(f"/verify/{certificate.code}/")
    main = visitor.locator("main").inner_text()
    assert certificate.code in main
    assert "Valid" in main
    assert "Rosa Okafor" in main
    visitor.screenshot(path=str(screenshot_dir / "certificate-verification.png"), full_page=True)
