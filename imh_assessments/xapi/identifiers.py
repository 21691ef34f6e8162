"""How this site names things in xAPI: activity IRIs and the agent that stands for a learner."""

from __future__ import annotations

import re
import uuid
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from imh_core.links import site_url

if TYPE_CHECKING:
    from imh_assessments.models import H5PActivity

_IRI_PATH = re.compile(r"^/assessments/h5p/(?P<uuid>[0-9a-fA-F-]{36})/?$")


def activity_iri(*, activity: H5PActivity, base_url: str) -> str:
    """The xAPI activity IRI of ``activity``: ``<site>/assessments/h5p/<uuid>``."""
    return f"{base_url.rstrip('/')}/assessments/h5p/{activity.uuid}"


def learner_agent(*, user) -> dict[str, Any]:
    """The xAPI agent that stands for ``user``: an account on this site, no personal data.

    ``homePage`` is ``site_url()``, the address emails and certificates use: the value of
    ``WAGTAILADMIN_BASE_URL`` without a slash at the end, so for the setting written the
    usual way it is unchanged and a replay of a statement stored earlier still matches it.
    Stored statements belong to their learner by the user column, not by ``homePage``: if
    the site moves to another address they keep the old one and still count.
    """
    return {
        "objectType": "Agent",
        "account": {"homePage": site_url(), "name": str(user.pk)},
    }


def activity_uuid_from_iri(iri: Any) -> tuple[str, bool] | None:
    """(activity uuid, is sub-content) for an IRI of this site's activities, else None."""
    if not isinstance(iri, str) or len(iri) > 500:
        return None
    parts = urlsplit(iri)
    match = _IRI_PATH.match(parts.path)
    if not match:
        return None
    try:
        activity_uuid = str(uuid.UUID(match["uuid"]))
    except ValueError:
        return None
    return activity_uuid, "subContentId" in parse_qs(parts.query)


def actor_is_user(actor: Any, user) -> bool:
    """Whether a statement's ``actor`` stands for ``user``: their email as ``mbox``, or the
    account on this site that ``learner_agent`` gives them."""
    if not isinstance(actor, dict):
        return False
    mbox = actor.get("mbox")
    if isinstance(mbox, str) and user.email:
        return mbox.lower() == f"mailto:{user.email}".lower()
    account = actor.get("account")
    if isinstance(account, dict):
        # The agent the lesson page was given, with or without a slash after the address.
        home_page = account.get("homePage")
        return (
            isinstance(home_page, str)
            and home_page.rstrip("/") == site_url()
            and str(account.get("name")) == str(user.pk)
        )
    return False
