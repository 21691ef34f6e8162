"""Trainees' quiz pages: start an attempt from a lesson, answer it, see the result.

Each view parses the request and calls one service or selector. An attempt is addressed by
its token; anyone but its owner (and educators, for the result) gets a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST
from wagtail.models import Page

from imh_assessments.models import Question, Quiz, QuizAttempt
from imh_assessments.selectors import quizzes as selectors
from imh_assessments.services import quizzes as services


def _page_url(page_id: int | None, request: HttpRequest) -> str | None:
    if not page_id:
        return None
    page = Page.objects.filter(pk=page_id).first()
    return page.get_url(request) if page is not None else None


def _own_attempt(request: HttpRequest, token) -> QuizAttempt:
    return get_object_or_404(
        QuizAttempt.objects.select_related("quiz"), token=token, user=request.user
    )


def _crumbs(page_id: int | None, request: HttpRequest) -> list[tuple[str, str]]:
    """The way back to the lesson the quiz sits on: the pages above it (the course and its
    module, as the lesson's own breadcrumbs show them), then the lesson itself."""
    page = Page.objects.live().filter(pk=page_id).first() if page_id else None
    if page is None:
        return [(gettext("Home"), "/")]
    site = page.get_site()
    pages = page.get_ancestors(inclusive=True).live().order_by("depth")
    # Below the site's home page, like the page tree's breadcrumbs; the tree's root is no page.
    pages = (
        pages.descendant_of(site.root_page, inclusive=True) if site else pages.filter(depth__gt=1)
    )
    crumbs = [(item.title, url) for item in pages if (url := item.get_url(request))]
    return crumbs or [(gettext("Home"), "/")]


@login_required
@require_POST
def quiz_start(request: HttpRequest, quiz_id: int) -> HttpResponse:
    quiz = get_object_or_404(Quiz, pk=quiz_id)
    try:
        page_id = int(request.POST.get("page_id", ""))
    except ValueError:
        page_id = None
    back = _page_url(page_id, request) or "/"
    try:
        attempt = services.quiz_attempt_start(user=request.user, quiz=quiz, page_id=page_id)
    except PermissionDenied as error:
        return render(
            request,
            "imh_assessments/quizzes/refused.html",
            {
                "quiz": quiz,
                "message": str(error),
                "back_url": back,
                "crumbs": _crumbs(page_id, request),
            },
            status=403,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(back)
    return redirect("imh_assessments:quiz_take", token=attempt.token)


def _take_context(request, attempt, *, selected=None, errors=None) -> dict:
    errors = errors or {}
    rows = selectors.attempt_questions(attempt=attempt, selected=selected)
    return {
        "attempt": attempt,
        "quiz": attempt.quiz,
        "questions": [(row, (errors.get(row.field_name) or [None])[0]) for row in rows],
        "general_errors": errors.get("__all__", []),
        "error_list": [
            (row.field_name, message) for row in rows for message in errors.get(row.field_name, [])
        ],
        "kinds": Question.Kind,
        "free_text_max_length": services.FREE_TEXT_MAX_LENGTH,
        "free_text_max_length_text": f"{services.FREE_TEXT_MAX_LENGTH:,}",
        "lesson_url": _page_url(attempt.page_id, request),
        "crumbs": _crumbs(attempt.page_id, request),
    }


@login_required
@require_GET
def quiz_take(request: HttpRequest, token) -> HttpResponse:
    attempt = _own_attempt(request, token)
    if attempt.status != QuizAttempt.Status.IN_PROGRESS:
        return redirect("imh_assessments:quiz_result", token=attempt.token)
    return render(request, "imh_assessments/quizzes/take.html", _take_context(request, attempt))


@login_required
@require_POST
def quiz_submit(request: HttpRequest, token) -> HttpResponse:
    attempt = _own_attempt(request, token)
    answers = {}
    for question_id, kind in Question.objects.filter(pk__in=attempt.question_order).values_list(
        "pk", "kind"
    ):
        field = f"question-{question_id}"
        if kind == Question.Kind.FREE_TEXT:
            answers[question_id] = request.POST.get(field, "")
        else:
            answers[question_id] = request.POST.getlist(field)
    try:
        attempt = services.quiz_attempt_submit(
            user=request.user, token=attempt.token, answers=answers
        )
    except services.AttemptTimeUp as error:
        messages.error(request, " ".join(error.messages))
        return redirect("imh_assessments:quiz_result", token=attempt.token)
    except PermissionDenied as error:
        raise Http404 from error
    except ValidationError as error:
        errors = error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
        context = _take_context(request, attempt, selected=answers, errors=errors)
        return render(request, "imh_assessments/quizzes/take.html", context, status=400)
    return redirect("imh_assessments:quiz_result", token=attempt.token)


@login_required
@require_GET
def quiz_result(request: HttpRequest, token) -> HttpResponse:
    attempt = selectors.attempt_for_viewer(token=token, user=request.user)
    if attempt is None:
        raise Http404(gettext("No such attempt."))
    if attempt.status == QuizAttempt.Status.IN_PROGRESS:
        if attempt.user_id == request.user.pk:
            return redirect("imh_assessments:quiz_take", token=attempt.token)
        raise Http404(gettext("This attempt has not been submitted."))
    is_owner = attempt.user_id == request.user.pk
    return render(
        request,
        "imh_assessments/quizzes/result.html",
        {
            "reveal_answers": not is_owner
            or selectors.quiz_answers_revealed(user=request.user, quiz=attempt.quiz),
            "attempt": attempt,
            "quiz": attempt.quiz,
            "rows": selectors.attempt_questions(attempt=attempt),
            "kinds": Question.Kind,
            "is_owner": is_owner,
            "lesson_url": _page_url(attempt.page_id, request),
            "crumbs": _crumbs(attempt.page_id, request),
        },
    )


urlpatterns = [
    path("quizzes/<int:quiz_id>/start/", quiz_start, name="quiz_start"),
    path("quiz-attempts/<uuid:token>/", quiz_take, name="quiz_take"),
    path("quiz-attempts/<uuid:token>/submit/", quiz_submit, name="quiz_submit"),
    path("quiz-attempts/<uuid:token>/result/", quiz_result, name="quiz_result"),
]
