"""The trainee's CPD portfolio: certificates, learning done elsewhere, reflections, exports.

Learning done elsewhere is added, changed and removed on imh_competencies' pages; the old
addresses of those pages here redirect there, so bookmarks keep working.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET
from django.views.generic import RedirectView

from imh_certificates import portfolio as services


def _crumbs(*extra: tuple[str, str]) -> list[tuple[str, str]]:
    return [(gettext("Home"), "/"), *extra]


@login_required
@require_GET
def portfolio(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "imh_certificates/portfolio.html",
        {"portfolio": services.portfolio_for(user=request.user), "crumbs": _crumbs()},
    )


def _export_name(extension: str) -> str:
    return f"cpd-portfolio-{timezone.localdate():%Y-%m-%d}.{extension}"


@login_required
@require_GET
def portfolio_csv(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(
        # A byte-order mark so that spreadsheet programs read the file as UTF-8.
        "\ufeff" + services.portfolio_csv(user=request.user),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{_export_name("csv")}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_GET
def portfolio_pdf(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(
        services.portfolio_pdf(user=request.user), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'attachment; filename="{_export_name("pdf")}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


urlpatterns = [
    path("certificates/", portfolio, name="portfolio"),
    path("certificates/portfolio.csv", portfolio_csv, name="portfolio_csv"),
    path("certificates/portfolio.pdf", portfolio_pdf, name="portfolio_pdf"),
    # The old addresses of the pages for learning done elsewhere, which now live in
    # imh_competencies: permanent redirects keep bookmarks working. A record there has its own
    # id, not the old one, so an address that named a record leads to the person's list.
    path(
        "certificates/cpd/new/",
        RedirectView.as_view(pattern_name="imh_competencies:external_learning_new", permanent=True),
        name="external_cpd_new",
    ),
    *(
        path(
            f"certificates/cpd/<int:pk>/{action}/",
            RedirectView.as_view(
                url=reverse_lazy("imh_competencies:external_learning"), permanent=True
            ),
            name=f"external_cpd_{action}",
        )
        for action in ("edit", "delete", "evidence")
    ),
]
