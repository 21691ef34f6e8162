"""The certificate PDF download: for its holder, their managers and admins, nobody else.

Anyone else gets the same 404 as for a code that does not exist, so the download URL cannot
be used to find out which codes are real. Until the PDF is made, the holder sees a page
asking them to come back in a minute.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from imh_certificates.models import Certificate, code_normalise
from imh_certificates.policies import user_manages_holder

# Admins see every certificate through the model permission (the certificate admin uses it).
VIEW_PERMISSION = "imh_certificates.view_certificate"


def user_can_download(*, user, certificate: Certificate) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if certificate.holder_id == user.pk:
        return True
    if user.has_perm(VIEW_PERMISSION):
        return True
    return user_manages_holder(user=user, holder=certificate.holder)


@require_GET
@never_cache
@login_required
def certificate_pdf_download(request: HttpRequest, code: str) -> HttpResponse:
    normalised = code_normalise(code)
    certificate = (
        Certificate.objects.select_related("holder").filter(code=normalised).first()
        if normalised
        else None
    )
    if certificate is None or not user_can_download(user=request.user, certificate=certificate):
        raise Http404(gettext("No certificate found."))
    if certificate.pdf_status != Certificate.PdfStatus.READY or not certificate.pdf:
        return render(
            request,
            "imh_certificates/pdf_pending.html",
            {
                "certificate": certificate,
                "gave_up": certificate.pdf_status == Certificate.PdfStatus.GAVE_UP,
                "crumbs": [(gettext("Home"), "/")],
            },
            status=202,
        )
    response = FileResponse(
        certificate.pdf.open("rb"),
        as_attachment=True,
        filename=f"certificate-{certificate.code}.pdf",
        content_type="application/pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


urlpatterns = [
    path("certificates/<str:code>/pdf/", certificate_pdf_download, name="certificate_pdf"),
]
