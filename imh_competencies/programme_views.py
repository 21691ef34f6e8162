"""The external programme directory trainees browse, and "I've done this" in one step.

Only approved programmes are listed. A programme's page shows its mapping; claiming it logs
the person's learning done elsewhere, prefilled from the programme, and takes them to that
record to add their certificate and reflection.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from imh_competencies import selectors, services
from imh_competencies.forms import ProgrammeClaimForm, ProgrammeSearchForm
from imh_core.forms import add_service_errors

PAGE_SIZE = 20


def _crumbs(*extra: tuple[str, str]) -> list[tuple[str, str]]:
    return [
        (_("Home"), "/"),
        (_("My competencies"), reverse("imh_competencies:profile")),
        (_("Learning done elsewhere"), reverse("imh_competencies:external_learning")),
        *extra,
    ]


@login_required
@require_GET
def programme_directory(request: HttpRequest) -> HttpResponse:
    form = ProgrammeSearchForm(request.GET or None)
    filters = form.filters() if request.GET else {}
    page = Paginator(selectors.programme_directory(**filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "imh_competencies/programmes/list.html",
        {
            "form": form,
            "page": page,
            "searching": any(filters.values()),
            "query_string": query.urlencode(),
            "crumbs": _crumbs(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def programme_detail(request: HttpRequest, pk: int) -> HttpResponse:
    programme = selectors.programme_for_directory(pk=pk)
    form = ProgrammeClaimForm(request.POST or None, programme=programme)
    if request.method == "POST" and form.is_valid():
        try:
            item = services.programme_claim(
                user=request.user,
                programme=programme,
                completed_on=form.cleaned_data["completed_on"],
                hours=form.cleaned_data.get("hours"),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _claimed_message(item))
            return redirect("imh_competencies:external_learning_detail", pk=item.pk)
    return render(
        request,
        "imh_competencies/programmes/detail.html",
        {
            "programme": programme,
            "mappings": selectors.programme_mappings(programme=programme),
            "records": list(selectors.programme_records_of(user=request.user, programme=programme)),
            "form": form,
            "crumbs": _crumbs(
                (_("Programme directory"), reverse("imh_competencies:programmes")),
            ),
        },
    )


def _claimed_message(item) -> str:
    if item.claims.exists():
        return _(
            "“%(title)s” is added to your learning done elsewhere. Next, add your certificate "
            "and a reflection (Change this learning) so an educator can verify the competencies."
        ) % {"title": item.title}
    return _(
        "“%(title)s” is added to your learning done elsewhere. Next, add your certificate "
        "and a reflection (Change this learning)."
    ) % {"title": item.title}


urlpatterns = [
    path("programmes/", programme_directory, name="programmes"),
    path("programmes/<int:pk>/", programme_detail, name="programme_detail"),
]
