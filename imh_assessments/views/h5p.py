"""The H5P player, run in a sandboxed frame so that package JavaScript cannot act as the learner.

An H5P package is JavaScript written by whoever made it. Run on the site's own origin, it
could read the page, send requests with the learner's session and CSRF token, and record
results for them. So the lesson page embeds the player in
``<iframe sandbox="allow-scripts">`` (no ``allow-same-origin``):

* the frame runs with an opaque origin: it cannot read the lesson page, ``document.cookie``
  or storage of the site, and everything it requests is cross-site, so the session and
  CSRF cookies (``SameSite=Lax``, the CSRF cookie also HttpOnly) are not sent;
* the embed page holds no CSRF token and nothing about the learner; it is the same for
  everyone with the link;
* it and the package files are served here with ``Access-Control-Allow-Origin: *`` (the
  opaque origin loads them cross-origin; no credentials are ever allowed) and reached
  through a signed link, valid for ``EMBED_TOKEN_SECONDS``, that only a lesson page shown
  to a logged-in learner hands out;
* the embed page has its own Content Security Policy: scripts, styles and media from this
  site only (no inline scripts or eval; inline styles, which H5P libraries set everywhere),
  nothing it can post forms to, ``frame-ancestors 'self'``; package files carry a
  ``sandbox`` policy so that an HTML or SVG file opened directly runs with no origin either;
* the player talks to the lesson page only by ``postMessage``. The lesson page script
  (``imh_assessments/h5p/host.js``) accepts messages only from its own frame, checks them, and
  posts the statements to ``/xapi/statements`` itself, as the learner; the server checks
  the actor, the activity and the learner's right to attempt it whatever the frame says.

See docs/h5p-security.md.
"""

from __future__ import annotations

import mimetypes
import posixpath
import re
from uuid import UUID

from csp.constants import NONE, SELF
from django.core import signing
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.templatetags.static import static
from django.urls import path, reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET

from imh_assessments.models import H5PActivity
from imh_assessments.xapi.identifiers import activity_iri

EMBED_TOKEN_SECONDS = 12 * 60 * 60
_TOKEN_SALT = "imh_assessments.h5p.embed"  # noqa: S105 (a signing namespace)
_LIBRARY_FOLDER = re.compile(r"^[A-Za-z0-9._-]+-\d+\.\d+$")
# Package files are opened as documents only if someone follows a link straight to them;
# then they run with no origin and can load nothing.
_FILE_POLICY = "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'"
SAVE_FREQUENCY_SECONDS = 10


def embed_token(*, activity_uuid: UUID | str) -> str:
    """A signed, time-limited key to one activity's player and files."""
    return signing.dumps(str(activity_uuid), salt=_TOKEN_SALT, compress=False)


def _token_valid(token: str | None, activity_uuid: UUID) -> bool:
    if not token:
        return False
    try:
        value = signing.loads(token, salt=_TOKEN_SALT, max_age=EMBED_TOKEN_SECONDS)
    except signing.BadSignature:
        return False
    return value == str(activity_uuid)


def embed_url(*, activity: H5PActivity, page_id: int | None) -> str:
    """Where the lesson page's frame loads the player for ``activity``."""
    url = reverse("imh_assessments:h5p_embed", kwargs={"activity_uuid": activity.uuid})
    query = f"t={embed_token(activity_uuid=activity.uuid)}"
    if page_id:
        query = f"page={int(page_id)}&{query}"
    return f"{url}?{query}"


def _site_origin(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def _embed_policy(origin: str) -> dict[str, list[str]]:
    here = [SELF, origin]
    return {
        "default-src": [NONE],
        # The player renders into this document (no inner frame, so no inline scripts) and
        # the libraries tried need no eval. Inline styles are set by nearly every library.
        "script-src": here,
        "style-src": [*here, "'unsafe-inline'"],
        "img-src": [*here, "data:", "blob:"],
        "font-src": [*here, "data:"],
        "media-src": [*here, "data:", "blob:"],
        "connect-src": here,
        "frame-src": [*here, "blob:"],
        "frame-ancestors": [SELF],
        "base-uri": [NONE],
        "form-action": [NONE],
        "object-src": [NONE],
    }


@require_GET
@never_cache
@xframe_options_sameorigin
def h5p_embed(request: HttpRequest, activity_uuid: UUID) -> HttpResponse:
    """The player document shown inside the lesson page's sandboxed frame."""
    token = request.GET.get("t")
    origin = _site_origin(request)
    if not _token_valid(token, activity_uuid):
        response = render(request, "imh_assessments/h5p/embed_expired.html", status=403)
    else:
        activity = get_object_or_404(H5PActivity.objects.only("uuid", "title"), uuid=activity_uuid)
        files = request.build_absolute_uri(
            reverse(
                "imh_assessments:h5p_file",
                kwargs={"activity_uuid": activity.uuid, "token": token, "path": "h5p.json"},
            )
        ).removesuffix("/h5p.json")
        response = render(
            request,
            "imh_assessments/h5p/embed.html",
            {
                "activity": activity,
                "files_url": files,
                "activity_iri": activity_iri(activity=activity, base_url=origin),
                "parent_origin": origin,
                "save_frequency": SAVE_FREQUENCY_SECONDS,
                "frame_js": request.build_absolute_uri(
                    static("imh_assessments/h5p-standalone/frame.bundle.js")
                ),
                "frame_css": request.build_absolute_uri(
                    static("imh_assessments/h5p-standalone/styles/h5p.css")
                ),
            },
        )
    response["Access-Control-Allow-Origin"] = "*"
    # The policy depends on the request's origin, so it is set here rather than by the
    # ``csp.decorators.csp`` decorator (which sets this same attribute).
    response._csp_config = _embed_policy(origin)
    return response


def _storage_name(activity_uuid: UUID, file_path: str) -> str | None:
    """Where ``file_path`` (as the player asks for it) is kept, or None if not allowed."""
    if "\\" in file_path or "\x00" in file_path:
        return None
    normal = posixpath.normpath(file_path)
    if normal != file_path or normal.startswith(("/", "..")) or "/../" in f"/{normal}/":
        return None
    top, _, rest = normal.partition("/")
    if top == "libraries" and rest:
        folder, _, inner = rest.partition("/")
        if _LIBRARY_FOLDER.match(folder) and inner:
            return f"h5p/libraries/{folder}/{inner}"
        return None
    if normal != "h5p.json" and not (top == "content" and rest):
        return None
    # The content folder changes when a package is replaced: ask the activity where it is.
    content_path = (
        H5PActivity.objects.filter(uuid=activity_uuid)
        .values_list("content_path", flat=True)
        .first()
    )
    if not content_path:
        return None
    content_path = content_path.rstrip("/")
    return f"{content_path}/h5p.json" if normal == "h5p.json" else f"{content_path}/{rest}"


@require_GET
def h5p_file(request: HttpRequest, activity_uuid: UUID, token: str, path: str) -> HttpResponse:
    """One file of an activity's content or of a library it uses, for the player frame."""
    if not _token_valid(token, activity_uuid):
        raise Http404("This link has expired.")
    name = _storage_name(activity_uuid, path)
    if name is None or not default_storage.exists(name):
        raise Http404("No such file.")
    content_type, _ = mimetypes.guess_type(name)
    response = FileResponse(
        default_storage.open(name, "rb"), content_type=content_type or "application/octet-stream"
    )
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Security-Policy"] = _FILE_POLICY
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    response._csp_exempt = True  # the policy above replaces the site's
    return response


urlpatterns = [
    path("h5p/<uuid:activity_uuid>/embed/", h5p_embed, name="h5p_embed"),
    path("h5p/<uuid:activity_uuid>/files/<str:token>/<path:path>", h5p_file, name="h5p_file"),
]
