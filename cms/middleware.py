"""The Content Security Policy, with the one exception the Wagtail admin needs."""

from __future__ import annotations

from csp.constants import SELF, UNSAFE_INLINE
from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.http import HttpRequest
from django.http.response import HttpResponseBase

# Wagtail's admin runs small inline scripts and style attributes of its own. It is used only
# by signed-in staff and never shows content from trainees' browsers, so it gets inline
# scripts and styles; the public site keeps the strict policy.
ADMIN_POLICY = {
    "script-src": [SELF, UNSAFE_INLINE],
    "style-src": [SELF, UNSAFE_INLINE],
    "img-src": [SELF, "data:", "blob:"],
}


class SiteCSPMiddleware(CSPMiddleware):
    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if request.path.startswith(settings.IMH_ADMIN_PATH_PREFIX) and parts.replace is None:
            parts.replace = ADMIN_POLICY
            # A nonce would make browsers ignore 'unsafe-inline'; the admin does not use it.
            parts.nonce = None
        return parts
