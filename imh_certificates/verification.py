"""Public verification of certificates: the lookup, the public record, rate limits, bulk CSV.

One representation (``certificate_public``) feeds the verification page, the JSON API and the
bulk CSV export, so every field printed on a PDF can be checked in the same words everywhere.
Lookups always run exactly one indexed query, also for codes that cannot exist, so a
malformed code costs the same as an unknown one and answers with the same not-found.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext, gettext_lazy

from imh_certificates.models import Certificate, code_normalise
from imh_core.conf import imh_setting
from imh_core.ratelimit import rate_limit_consume
from imh_core.spreadsheets import spreadsheet_safe as csv_safe

# Never generated (0 and O are not in the alphabet), but shaped like a real code so that the
# lookup for a malformed code does the same work as for an unknown one.
_DUMMY_CODE = "0000-0000-0000-0000-0000"

# Only what the public record needs: the PDF, the holder and the audit fields stay unread.
_PUBLIC_FIELDS = (
    "code",
    "holder_name",
    "kind",
    "title",
    "cpd_hours",
    "completed_on",
    "competencies",
    "sessions",
    "issuer_name",
    "signatory_name",
    "signatory_role",
    "issued_at",
    "expires_on",
    "status",
    "revoked_at",
    "revoked_reason",
    "superseded_by__code",
)

STATUS_LABELS = {
    "valid": gettext_lazy("Valid"),
    "expired": gettext_lazy("Expired"),
    "revoked": gettext_lazy("Revoked"),
    "superseded": gettext_lazy("Superseded by a reissue"),
    "not_found": gettext_lazy("Not found"),
    "invalid": gettext_lazy("Not a certificate code"),
}

CODE_FORMAT_HINT = "XXXX-XXXX-XXXX-XXXX-XXXX"

# What a code that matches no certificate gets, in the same words on the verification page,
# in bulk checks (the results page and the CSV) and from the JSON API.
NOT_FOUND_MESSAGE = gettext_lazy(
    "No certificate has this code. Check the code is typed exactly as it is printed on the "
    "certificate."
)
STATUS_MESSAGES = {"not_found": NOT_FOUND_MESSAGE}


def _public_queryset():
    return Certificate.objects.select_related("superseded_by").only(*_PUBLIC_FIELDS)


def certificate_public_lookup(*, code: str) -> Certificate | None:
    """The certificate with this typed code, in one indexed query whatever was typed."""
    canonical = code_normalise(code) or _DUMMY_CODE
    return _public_queryset().filter(code=canonical).first()


def certificates_public_lookup(*, codes: Iterable[str]) -> dict[str, Certificate]:
    """Certificates by canonical code for many canonical codes, in one query."""
    wanted = {code for code in codes if code}
    if not wanted:
        return {}
    return {c.code: c for c in _public_queryset().filter(code__in=wanted)}


def verification_path(code: str) -> str:
    return reverse("imh_certificates:verify_code", kwargs={"code": code})


def _text(value: object, limit: int = 500) -> str:
    return str(value if value is not None else "")[:limit]


def _competencies(value: object) -> list[dict]:
    """The competency snapshot, reduced to the keys the certificate states, as text."""
    if not isinstance(value, list):
        return []
    keys = ("framework", "code", "name", "level", "level_label")
    return [{key: _text(item.get(key)) for key in keys} for item in value if isinstance(item, dict)]


def _sessions(value: object) -> list[dict]:
    if not isinstance(value, list):
        return []
    sessions = []
    for item in value:
        if not isinstance(item, dict):
            continue
        raw_date = item.get("date")
        try:
            date = parse_date(raw_date) if isinstance(raw_date, str) else None
        except ValueError:
            date = None
        sessions.append({"title": _text(item.get("title")), "date": date})
    return sessions


def _hours(value) -> str:
    # "3.0" reads oddly on a certificate; "3" and "2.5" do not.
    text = format(value, "f")
    return text[:-2] if text.endswith(".0") else text


def certificate_public(
    certificate: Certificate, *, today: datetime.date | None = None, base_url: str = ""
) -> dict:
    """Everything a certificate states, for the page, the API and the bulk export.

    Dates are ``datetime.date`` objects (``None`` when absent); ``cpd_hours`` is text so that
    no decimal is turned into a float on the way to JSON.
    """
    today = today or timezone.localdate()
    status = certificate.effective_status(today)
    successor = certificate.superseded_by if certificate.superseded_by_id else None
    revoked_on = (
        timezone.localdate(certificate.revoked_at)
        if status == "revoked" and certificate.revoked_at
        else None
    )
    return {
        "code": certificate.code,
        "status": status,
        "status_label": STATUS_LABELS[status],
        "holder_name": certificate.holder_name,
        "kind": certificate.kind,
        "title": certificate.title,
        "cpd_hours": _hours(certificate.cpd_hours),
        "completed_on": certificate.completed_on,
        "issued_on": timezone.localdate(certificate.issued_at),
        "expires_on": certificate.expires_on,
        "revoked_on": revoked_on,
        "revocation_reason": certificate.revoked_reason if status == "revoked" else "",
        "superseded_by": successor.code if successor else None,
        "issuer": certificate.issuer_name,
        "signatory_name": certificate.signatory_name,
        "signatory_role": certificate.signatory_role,
        "competencies": _competencies(certificate.competencies),
        "sessions": _sessions(certificate.sessions),
        "verification_url": base_url + verification_path(certificate.code),
    }


def _iso(value: datetime.date | None) -> str | None:
    return value.isoformat() if value else None


def certificate_public_json(public: dict) -> dict:
    """The public record as the API documents it (dates as ISO 8601 text)."""
    return {
        "code": public["code"],
        "status": public["status"],
        "holder_name": public["holder_name"],
        "kind": public["kind"],
        "title": public["title"],
        "cpd_hours": public["cpd_hours"],
        "completed_on": _iso(public["completed_on"]),
        "issued_on": _iso(public["issued_on"]),
        "expires_on": _iso(public["expires_on"]),
        "revoked_on": _iso(public["revoked_on"]),
        "revocation_reason": public["revocation_reason"] or None,
        "superseded_by": public["superseded_by"],
        "issuer": public["issuer"],
        "signatory": (
            {"name": public["signatory_name"], "role": public["signatory_role"]}
            if public["signatory_name"]
            else None
        ),
        "competencies": public["competencies"],
        "sessions": [{"title": s["title"], "date": _iso(s["date"])} for s in public["sessions"]],
        "verification_url": public["verification_url"],
    }


# Rate limits ------------------------------------------------------------------------------

RATE_LIMITS = {
    # scope: (setting with the number of requests allowed per client IP, window)
    "page": ("IMH_VERIFY_RATE_LIMIT", "m"),
    "api": ("IMH_VERIFY_API_RATE_LIMIT", "m"),
    "bulk": ("IMH_VERIFY_BULK_RATE_LIMIT", "h"),
}


def rate_limit_hit(request: HttpRequest, *, scope: str) -> int | None:
    """Count one request from this client; seconds to wait if it is over the limit, else None.

    Counted by allauth's limiter (``imh_core.ratelimit``), per client IP address as allauth
    sees it. Limits are settings: ``IMH_VERIFY_RATE_LIMIT`` (page lookups per minute),
    ``IMH_VERIFY_API_RATE_LIMIT`` (API lookups per minute) and ``IMH_VERIFY_BULK_RATE_LIMIT``
    (bulk uploads per hour); 0 turns a limit off.
    """
    setting, window = RATE_LIMITS[scope]
    limit = int(imh_setting(setting))
    rate = f"{limit}/{window}/ip" if limit > 0 else None
    return rate_limit_consume(request, action=f"verify_{scope}", rate=rate)


# Bulk CSV ---------------------------------------------------------------------------------

HEADER_NAMES = {
    "code",
    "codes",
    "certificate code",
    "certificate codes",
    "verification code",
    "certificate",
}
TYPED_CODE_LIMIT = 100


def bulk_max_rows() -> int:
    return int(imh_setting("IMH_VERIFY_BULK_MAX_ROWS"))


def bulk_max_bytes() -> int:
    return int(imh_setting("IMH_VERIFY_BULK_MAX_BYTES"))


@dataclass
class BulkRow:
    row: int
    typed: str
    code: str | None = None
    public: dict | None = None
    status: str = "not_found"
    extra: dict = field(default_factory=dict)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def message(self) -> str:
        return STATUS_MESSAGES.get(self.status, "")


def bulk_codes_parse(*, name: str, data: bytes) -> list[tuple[int, str]]:
    """(row number in the file, code as typed) for every non-blank row of a CSV upload.

    The codes are the column headed "code" or "certificate code" (any case), or else the
    first column; a header row is optional. Raises ValidationError with a message for the
    person who uploaded the file.
    """
    if not name.lower().endswith((".csv", ".txt")):
        raise ValidationError(gettext("The selected file must be a CSV file."), code="file_type")
    if not data:
        raise ValidationError(gettext("The selected file is empty."), code="empty")
    if len(data) > bulk_max_bytes():
        raise ValidationError(
            gettext("The selected file must be smaller than %(size)s KB.")
            % {"size": f"{bulk_max_bytes() // 1024:,}"},
            code="too_big",
        )
    if data.startswith(b"PK\x03\x04") or b"\x00" in data:
        raise ValidationError(
            gettext(
                "The selected file must be a CSV file. If you use a spreadsheet, save it as "
                "“CSV UTF-8” first."
            ),
            code="file_type",
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(
            gettext(
                "The selected file must be saved as UTF-8 text (in a spreadsheet, choose "
                "“CSV UTF-8”)."
            ),
            code="encoding",
        ) from None
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    column = 0
    codes: list[tuple[int, str]] = []
    max_rows = bulk_max_rows()
    try:
        for number, cells in enumerate(reader, start=1):
            if number == 1:
                names = [cell.strip().lower() for cell in cells]
                matches = [i for i, cell in enumerate(names) if cell in HEADER_NAMES]
                if matches:
                    column = matches[0]
                    continue
            value = cells[column].strip() if len(cells) > column else ""
            if not value:
                continue
            if len(codes) >= max_rows:
                raise ValidationError(
                    gettext(
                        "The selected file must have no more than %(count)s codes. Split it "
                        "into smaller files."
                    )
                    % {"count": f"{max_rows:,}"},
                    code="too_many_rows",
                )
            codes.append((number, value[:TYPED_CODE_LIMIT]))
    except csv.Error:
        raise ValidationError(
            gettext("The selected file could not be read as CSV. Check it is a CSV file."),
            code="malformed",
        ) from None
    if not codes:
        raise ValidationError(
            gettext("The selected file has no certificate codes in it."), code="empty"
        )
    return codes


def bulk_verify(
    *, codes: list[tuple[int, str]], today: datetime.date | None = None, base_url: str = ""
) -> list[BulkRow]:
    """Each typed code checked, in file order, with one query for the whole list."""
    today = today or timezone.localdate()
    rows = [BulkRow(row=row, typed=typed, code=code_normalise(typed)) for row, typed in codes]
    found = certificates_public_lookup(codes=(r.code for r in rows if r.code))
    for r in rows:
        if r.code is None:
            r.status = "invalid"
            continue
        certificate = found.get(r.code)
        if certificate is None:
            continue
        r.public = certificate_public(certificate, today=today, base_url=base_url)
        r.status = r.public["status"]
    return rows


CSV_HEADER = [
    gettext_lazy("Row"),
    gettext_lazy("Code as typed"),
    gettext_lazy("Code"),
    gettext_lazy("Status"),
    gettext_lazy("Note"),
    gettext_lazy("Holder name"),
    gettext_lazy("Title"),
    gettext_lazy("CPD hours"),
    gettext_lazy("Completed on"),
    gettext_lazy("Issued on"),
    gettext_lazy("Expires on"),
    gettext_lazy("Revoked on"),
    gettext_lazy("Revocation reason"),
    gettext_lazy("Superseded by"),
    gettext_lazy("Issuer"),
    gettext_lazy("Verification URL"),
]


def bulk_results_csv(rows: list[BulkRow]) -> str:
    """The results as CSV text (with a byte-order mark, so spreadsheets read it as UTF-8)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([str(heading) for heading in CSV_HEADER])
    for r in rows:
        p = r.public or {}
        writer.writerow(
            [
                csv_safe(value)
                for value in (
                    r.row,
                    r.typed,
                    r.code or "",
                    r.status_label,
                    r.message,
                    p.get("holder_name", ""),
                    p.get("title", ""),
                    p.get("cpd_hours", ""),
                    _iso(p.get("completed_on")) or "",
                    _iso(p.get("issued_on")) or "",
                    _iso(p.get("expires_on")) or "",
                    _iso(p.get("revoked_on")) or "",
                    p.get("revocation_reason", ""),
                    p.get("superseded_by") or "",
                    p.get("issuer", ""),
                    p.get("verification_url", ""),
                )
            ]
        )
    return "\ufeff" + out.getvalue()
