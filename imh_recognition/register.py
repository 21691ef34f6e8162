"""Reads for the public register and for verification of a recognition by its code.

The register lists only people who are recognised today and have agreed to be listed: an
``active`` recognition, ``public`` set, ``valid_until`` today or later. It shows the name on
the register, the scheme and level, area of practice, region and the date it runs to, and
nothing else about the person.

Verification by code works like a certificate's: anyone holding the code (the person gave it
to them) sees whether the recognition is valid, lapsed, superseded by a renewal or revoked,
with the name, scheme, level and dates. Area of practice and region are shown only while the
person is listed on the register, because that is what they agreed to publish. A revocation
reason is never published: it may describe the person's conduct or health, and stays between
the person and the assessors. Lookups run one indexed query whatever is typed, so a
malformed code costs the same as an unknown one and gets the same not-found.
"""

from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from imh_certificates.models import code_normalise
from imh_core.conf import imh_setting
from imh_core.ratelimit import rate_limit_consume
from imh_recognition.models import AreaOfPractice, Recognition, Region, Scheme

# Never generated (0 is not in the code alphabet) but shaped like a code, so that a
# malformed code does the same work as an unknown one.
_DUMMY_CODE = "0000-0000-0000-0000-0000"

CODE_FORMAT_HINT = "XXXX-XXXX-XXXX-XXXX-XXXX"
REGISTER_PAGE_SIZE = 20
# Words of a name search; more than this is not a name.
SEARCH_MAX_WORDS = 6

STATUS_LABELS = {
    "valid": gettext_lazy("Valid"),
    "lapsed": gettext_lazy("Lapsed"),
    "superseded": gettext_lazy("Replaced by a renewal"),
    "revoked": gettext_lazy("Revoked"),
}

NOT_FOUND_MESSAGE = gettext_lazy(
    "No recognition has this code. Check the code is typed exactly as the practitioner gave "
    "it to you."
)

_REGISTER_FIELDS = (
    "code",
    "display_name",
    "level",
    "area_of_practice",
    "region",
    "valid_until",
    "scheme__title",
    "scheme__level",
    "scheme__framework__name",
    "scheme__framework__levels",
)


# The public register -------------------------------------------------------------------


def register_queryset(*, today: datetime.date | None = None) -> QuerySet[Recognition]:
    """Everyone on the public register today: active, consenting and in date."""
    today = today or timezone.localdate()
    return Recognition.objects.filter(
        status=Recognition.Status.ACTIVE, public=True, valid_until__gte=today
    )


def name_filter(query: str) -> Q:
    """A name search as a Q, for the admin and other lists that reuse the register's rule."""
    condition = Q()
    for word in query.split()[:SEARCH_MAX_WORDS]:
        condition &= Q(display_name__icontains=word)
    return condition


def register_search(
    *,
    query: str = "",
    scheme: Scheme | None = None,
    area_of_practice: str = "",
    region: str = "",
    today: datetime.date | None = None,
) -> QuerySet[Recognition]:
    """Register entries matching a name search and filters, by name.

    Every word of ``query`` must appear in the name on the register, in any order and case.
    """
    entries = register_queryset(today=today).filter(name_filter(query))
    if scheme is not None:
        entries = entries.filter(scheme=scheme)
    if area_of_practice:
        entries = entries.filter(area_of_practice=area_of_practice)
    if region:
        entries = entries.filter(region=region)
    return (
        entries.select_related("scheme__framework")
        .only(*_REGISTER_FIELDS)
        .order_by("display_name", "pk")
    )


def register_schemes() -> QuerySet[Scheme]:
    """The schemes to filter the register by: every scheme anyone could be listed under."""
    return Scheme.objects.select_related("framework").order_by("framework__name", "level")


def area_choices() -> list[tuple[str, str]]:
    return list(AreaOfPractice.choices)


def region_choices() -> list[tuple[str, str]]:
    return list(Region.choices)


# Verification ----------------------------------------------------------------------------


def verification_path(code: str) -> str:
    return reverse("imh_recognition:verify_code", kwargs={"code": code})


def recognition_public_lookup(*, code: str) -> Recognition | None:
    """The recognition with this typed code, in one indexed query whatever was typed."""
    canonical = code_normalise(code) or _DUMMY_CODE
    return Recognition.objects.select_related("scheme__framework").filter(code=canonical).first()


def recognition_effective_status(
    recognition: Recognition, *, today: datetime.date | None = None
) -> str:
    """``valid``, ``lapsed``, ``superseded`` or ``revoked`` as of ``today``.

    An active recognition whose date has passed is lapsed even before the nightly job marks it.
    """
    today = today or timezone.localdate()
    status = recognition.status
    if status == Recognition.Status.REVOKED:
        return "revoked"
    if status == Recognition.Status.SUPERSEDED:
        return "superseded"
    if status == Recognition.Status.LAPSED or recognition.valid_until < today:
        return "lapsed"
    return "valid"


def recognition_successor(recognition: Recognition) -> Recognition | None:
    """The recognition granted on renewing this one, if any."""
    return (
        Recognition.objects.filter(application__renews=recognition)
        .only("code")
        .order_by("-granted_on", "-pk")
        .first()
    )


def recognition_is_listed(recognition: Recognition, *, today: datetime.date | None = None) -> bool:
    """Whether the entry is on the public register today."""
    return bool(recognition.public) and recognition_effective_status(recognition, today=today) == (
        "valid"
    )


def recognition_public(
    recognition: Recognition, *, today: datetime.date | None = None, base_url: str = ""
) -> dict:
    """What anyone holding the code may know, for the page and the API (dates as dates)."""
    status = recognition_effective_status(recognition, today=today)
    listed = bool(recognition.public) and status == "valid"
    successor = recognition_successor(recognition) if status == "superseded" else None
    framework = recognition.scheme.framework
    return {
        "code": recognition.code,
        "status": status,
        "status_label": STATUS_LABELS[status],
        "name": recognition.display_name,
        "scheme": recognition.scheme.title,
        "framework": framework.name,
        "level": recognition.level,
        "level_label": framework.level_label(recognition.level),
        "listed": listed,
        "area_of_practice": recognition.area_of_practice if listed else "",
        "area_of_practice_label": (recognition.get_area_of_practice_display() if listed else ""),
        "region": recognition.region if listed else "",
        "region_label": recognition.get_region_display() if listed else "",
        "granted_on": recognition.granted_on,
        "valid_until": recognition.valid_until,
        "superseded_by": successor.code if successor else None,
        # When, never why: the reason stays between the assessors and the person.
        "revoked_on": (
            timezone.localdate(recognition.revoked_at)
            if status == "revoked" and recognition.revoked_at
            else None
        ),
        "verification_url": base_url + verification_path(recognition.code),
    }


def _iso(value: datetime.date | None) -> str | None:
    return value.isoformat() if value else None


def recognition_public_json(public: dict) -> dict:
    """The public record as the API documents it (dates as ISO 8601 text)."""
    return {
        "code": public["code"],
        "status": public["status"],
        "name": public["name"],
        "scheme": public["scheme"],
        "framework": public["framework"],
        "level": public["level"],
        "level_label": public["level_label"],
        "listed_on_register": public["listed"],
        "area_of_practice": (
            {"code": public["area_of_practice"], "label": str(public["area_of_practice_label"])}
            if public["area_of_practice"]
            else None
        ),
        "region": (
            {"code": public["region"], "label": str(public["region_label"])}
            if public["region"]
            else None
        ),
        "granted_on": _iso(public["granted_on"]),
        "valid_until": _iso(public["valid_until"]),
        "superseded_by": public["superseded_by"],
        "revoked_on": _iso(public["revoked_on"]),
        "verification_url": public["verification_url"],
    }


# Rate limits ------------------------------------------------------------------------------

RATE_LIMITS = {
    # scope: (setting with the requests allowed per client address, window)
    "page": ("IMH_RECOGNITION_VERIFY_RATE_LIMIT", "m"),
    "api": ("IMH_RECOGNITION_VERIFY_API_RATE_LIMIT", "m"),
}


def rate_limit_hit(request: HttpRequest, *, scope: str) -> int | None:
    """Count one lookup from this client; seconds to wait if it is over the limit, else None.

    Counted by the same limiter as certificate checks (``imh_core.ratelimit``), per client
    address, with its own counters; 0 in the setting turns a limit off.
    """
    setting, window = RATE_LIMITS[scope]
    limit = int(imh_setting(setting))
    rate = f"{limit}/{window}/ip" if limit > 0 else None
    return rate_limit_consume(request, action=f"recognition_verify_{scope}", rate=rate)
