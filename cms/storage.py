"""Storage for the reference site: static files in production, and public media.

Private files (certificates, evidence, reports; see ``imh_core.storage``) are kept apart from
``MEDIA_ROOT`` so that nothing which serves media, the development server or a web server
pointed at the media folder, can hand them out.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote, urldefrag

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.views.static import serve
from whitenoise.storage import CompressedManifestStaticFilesStorage

from imh_core.storage import is_private_name


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """WhiteNoise's manifest storage, tolerant of source maps that a package did not ship.

    Some packages (wagtail-nhsuk-frontend among them) end their minified CSS and JS with a
    ``sourceMappingURL`` comment naming a ``.map`` file that is not in the package, and the
    manifest storage refuses to collect a file whose references it cannot hash. A source map
    only helps a developer's browser tools, so such a comment is dropped rather than failing
    the deploy. Every other reference (``url()``, ``@import``, a source map that does exist)
    is still hashed, and a missing one still fails ``collectstatic``.
    """

    _source_map = re.compile(r"sourceMappingURL", re.IGNORECASE)

    def url_converter(
        self, name: str, hashed_files: dict, template: str | None = None, *args: Any, **kwargs: Any
    ) -> Callable[[re.Match], str]:
        # Django 6.1 added an argument (the comment blocks to skip); pass on whatever it gives.
        converter = super().url_converter(name, hashed_files, template, *args, **kwargs)
        if template is None or not self._source_map.search(template):
            return converter

        def source_map_converter(matchobj: re.Match) -> str:
            target = self._source_map_target(name, matchobj["url"])
            if target is not None and not self.exists(target):
                return ""
            return converter(matchobj)

        return source_map_converter

    @staticmethod
    def _source_map_target(name: str, url: str) -> str | None:
        """The storage name a relative source map URL points to, or None for any other URL."""
        path = unquote(urldefrag(url.strip())[0])
        if not path or path.startswith("//") or re.match(r"^[a-z]+:", path, re.IGNORECASE):
            return None
        if path.startswith("/"):
            if not path.startswith(settings.STATIC_URL):
                return None
            return path.removeprefix(settings.STATIC_URL)
        return posixpath.normpath(posixpath.join(posixpath.dirname(name), path))


def serve_public_media(request: HttpRequest, path: str, document_root: str) -> HttpResponse:
    """The development server's media view, which never serves anything under private/.

    Private files are not under ``MEDIA_ROOT`` at all; this also covers files left there by
    an older version, or a ``PRIVATE_MEDIA_ROOT`` pointed at the wrong folder.
    """
    if is_private_name(path):
        raise Http404("Private files are not served from the media URL.")
    return serve(request, path, document_root=document_root)
