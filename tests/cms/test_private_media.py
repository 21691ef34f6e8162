"""Private files (certificates, evidence, reports) are never served from the media URL."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import override_settings
from django.urls import clear_url_caches, reverse

from imh_certificates.models import Certificate
from imh_competencies.models import ExternalLearning
from imh_compliance.models import Report
from imh_core.storage import PrivateFileSystemStorage, is_private_name
from tests.certificates.factories import CertificateFactory
from tests.factories import UserFactory

SECRET = b"%PDF-1.7 private to its owner"

PRIVATE_FIELDS = [
    pytest.param(Certificate, "pdf", id="certificate-pdf"),
    pytest.param(ExternalLearning, "evidence_file", id="external-learning-evidence"),
    pytest.param(Report, "pdf", id="compliance-report-pdf"),
]


@pytest.fixture
def roots(settings, tmp_path) -> tuple[Path, Path]:
    """Files on disk, as in development: public media and private files in their own folders."""
    media_root = tmp_path / "media"
    private_root = tmp_path / "private-media"
    settings.MEDIA_ROOT = media_root
    settings.PRIVATE_MEDIA_ROOT = private_root
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "private": {
            "BACKEND": "imh_core.storage.PrivateFileSystemStorage",
            "OPTIONS": {"location": private_root},
        },
    }
    return media_root, private_root


@pytest.fixture
def debug_urls():
    """The site's URLs as the development server builds them (DEBUG adds the media route)."""
    import cms.urls

    with override_settings(DEBUG=True):
        importlib.reload(cms.urls)
        clear_url_caches()
        try:
            yield
        finally:
            importlib.reload(cms.urls)
            clear_url_caches()
    importlib.reload(cms.urls)
    clear_url_caches()


def _files_under(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


@pytest.mark.parametrize(("model", "field"), PRIVATE_FIELDS)
def test_private_file_is_stored_outside_media_root(roots, model, field):
    media_root, private_root = roots
    file = getattr(model(), field)
    file.save("evidence.pdf", ContentFile(SECRET), save=False)

    assert file.name.startswith("private/")
    assert (private_root / file.name).read_bytes() == SECRET
    assert _files_under(media_root) == []
    with pytest.raises(ValueError, match="not accessible via a URL"):
        file.url  # noqa: B018


@pytest.mark.django_db
@pytest.mark.parametrize(("model", "field"), PRIVATE_FIELDS)
def test_private_file_is_not_served_from_the_media_url(roots, debug_urls, client, model, field):
    file = getattr(model(), field)
    file.save("evidence.pdf", ContentFile(SECRET), save=False)
    public = default_storage.save("images/logo.txt", ContentFile(b"public"))

    # The development media route is there and serves public media...
    assert b"".join(client.get(f"/media/{public}").streaming_content) == b"public"
    # ...but not the private file, logged in or not.
    assert client.get(f"/media/{file.name}").status_code == 404
    client.force_login(UserFactory())
    assert client.get(f"/media/{file.name}").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "private/certificates/old.pdf",
        "Private/certificates/old.pdf",
        "./private/certificates/old.pdf",
        "images/../private/certificates/old.pdf",
        "images/..%2Fprivate/certificates/old.pdf",
    ],
)
def test_media_route_refuses_private_files_left_in_media_root(roots, debug_urls, client, path):
    """A file an older version stored under MEDIA_ROOT/private/ is not served either."""
    media_root, _ = roots
    old = media_root / "private" / "certificates" / "old.pdf"
    old.parent.mkdir(parents=True)
    old.write_bytes(SECRET)
    (media_root / "images").mkdir()

    response = client.get(f"/media/{path}")

    assert response.status_code == 404
    assert SECRET not in b"".join(getattr(response, "streaming_content", [response.content]))


@pytest.mark.django_db
def test_owner_still_downloads_a_certificate_stored_privately(roots, client):
    holder = UserFactory()
    certificate = CertificateFactory(holder=holder)
    certificate.pdf.save("certificate.pdf", ContentFile(SECRET), save=False)
    certificate.pdf_status = Certificate.PdfStatus.READY
    certificate.save()
    client.force_login(holder)

    response = client.get(reverse("imh_certificates:certificate_pdf", args=[certificate.code]))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == SECRET


def test_private_storage_must_be_outside_media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    with pytest.raises(ImproperlyConfigured, match="outside MEDIA_ROOT"):
        PrivateFileSystemStorage(location=tmp_path / "media" / "private")
    with pytest.raises(ImproperlyConfigured, match="outside MEDIA_ROOT"):
        PrivateFileSystemStorage(location=tmp_path / "media")
    with pytest.raises(ImproperlyConfigured, match="location of its own"):
        PrivateFileSystemStorage()


def test_missing_private_storage_is_a_clear_error(settings):
    from imh_core.storage import private_storage

    settings.STORAGES = {
        name: config for name, config in settings.STORAGES.items() if name != "private"
    }
    with pytest.raises(ImproperlyConfigured, match='"private" entry to STORAGES'):
        private_storage().exists("private/x.pdf")


@pytest.mark.parametrize(
    ("name", "private"),
    [
        ("private", True),
        ("private/a.pdf", True),
        ("/private/a.pdf", True),
        ("PRIVATE/a.pdf", True),
        ("a/../private/a.pdf", True),
        ("private\\a.pdf", True),
        ("images/private/a.png", False),
        ("privateer.png", False),
        ("documents/a.pdf", False),
    ],
)
def test_is_private_name(name, private):
    assert is_private_name(name) is private


@pytest.mark.django_db
def test_private_media_move_takes_old_files_out_of_media_root(roots):
    """After upgrading, files stored under MEDIA_ROOT/private/ move; their names stay."""
    from io import StringIO

    from django.core.management import call_command

    media_root, private_root = roots
    certificate = CertificateFactory()
    name = "private/certificates/certificate-old.pdf"
    (media_root / "private" / "certificates").mkdir(parents=True)
    (media_root / "private" / "certificates" / "certificate-old.pdf").write_bytes(SECRET)
    (media_root / "images").mkdir()
    (media_root / "images" / "logo.png").write_bytes(b"public")
    Certificate.objects.filter(pk=certificate.pk).update(pdf=name)

    dry_run = StringIO()
    call_command("private_media_move", "--dry-run", stdout=dry_run)
    assert f"Would move {name}" in dry_run.getvalue()
    assert (media_root / name).exists()

    out = StringIO()
    call_command("private_media_move", stdout=out)

    assert "Moved 1 files" in out.getvalue()
    assert not (media_root / "private").exists()
    assert (media_root / "images" / "logo.png").exists(), "public media stays"
    certificate.refresh_from_db()
    with certificate.pdf.open("rb") as moved:
        assert moved.read() == SECRET
    assert (private_root / name).exists()

    again = StringIO()
    call_command("private_media_move", stdout=again)
    assert "Nothing to move" in again.getvalue()
