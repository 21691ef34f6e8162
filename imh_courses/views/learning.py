"""Trainees' learning pages: enrol, mark a lesson complete, save a reflection, My learning.

Each view parses the request and calls one service; the outcome comes back as a message on
the page the person returns to. A reflection that cannot be saved is the exception: the
person would lose what they typed, so the view answers with a page of its own that holds
their text in the form, with the error beside it (no draft is kept in the session).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from imh_core.formatting import and_list
from imh_courses.models import CoursePage, Enrolment, LessonPage
from imh_courses.selectors import learning as selectors
from imh_courses.selectors.pages import LessonStanding, lesson_standing
from imh_courses.services import learning as services


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


def _page_url(page, request: HttpRequest) -> str:
    return page.get_url(request) or "/"


@login_required
@require_POST
def enrol(request: HttpRequest, course_id: int) -> HttpResponse:
    course = get_object_or_404(CoursePage.objects.live(), pk=course_id)
    was_open = selectors.enrolment_open(user=request.user, course=course) is not None
    try:
        services.enrolment_create(user=request.user, course=course)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        if was_open:
            messages.info(
                request,
                gettext("You are already enrolled on “%(course)s”.") % {"course": course.title},
            )
        else:
            messages.success(
                request,
                gettext(
                    "You are enrolled on “%(course)s”. Start with the first lesson when you "
                    "are ready."
                )
                % {"course": course.title},
            )
    return redirect(_page_url(course, request))


@login_required
@require_POST
def lesson_complete(request: HttpRequest, lesson_id: int) -> HttpResponse:
    lesson = get_object_or_404(LessonPage.objects.live(), pk=lesson_id)
    try:
        progress = services.lesson_complete(user=request.user, lesson=lesson)
    except ValidationError as error:
        messages.error(request, _error_text(error))
        return redirect(_page_url(lesson, request))
    enrolment = progress.enrolment
    if enrolment.status == Enrolment.Status.COMPLETED:
        messages.success(
            request,
            gettext("You have completed “%(course)s”. Well done.")
            % {"course": enrolment.course.title},
        )
        return redirect(_page_url(enrolment.course, request))
    messages.success(
        request, gettext("“%(lesson)s” is marked as complete.") % {"lesson": lesson.title}
    )
    following = selectors.lesson_next(lesson=lesson)
    return redirect(_page_url(following or enrolment.course, request))


def _certificate_link(standing: LessonStanding) -> dict[str, str] | None:
    try:
        if standing.certificate is not None:
            url = reverse("imh_certificates:certificate_pdf", args=[standing.certificate.code])
            return {"url": url, "text": gettext("Download your certificate (PDF)")}
        return {
            "url": reverse("imh_certificates:portfolio"),
            "text": gettext("Go to your certificates"),
        }
    except NoReverseMatch:  # a host site without the certificates pages
        return None


def _standing_feedback(
    standing: LessonStanding, lesson: LessonPage, request: HttpRequest
) -> dict[str, object]:
    """What the lesson page tells the person once an activity in it has sent a result."""
    course = standing.course
    if standing.completion is not None:
        if standing.certificate is not None:
            message = gettext("You have completed “%(course)s”. Your certificate is ready.") % {
                "course": course.title
            }
        else:
            message = gettext(
                "You have completed “%(course)s”. Your certificate is being issued: we "
                "will email you when it is ready."
            ) % {"course": course.title}
        link = _certificate_link(standing)
    elif standing.lesson_completed:
        message = gettext(
            "You have passed every required activity in this lesson, so it is complete."
        )
        following = selectors.lesson_next(lesson=lesson)
        link = {
            "url": _page_url(following or course, request),
            "text": (
                gettext("Next lesson: %(lesson)s") % {"lesson": following.title}
                if following
                else gettext("Back to the course")
            ),
        }
    elif standing.activities_outstanding:
        labels = and_list([activity.label for activity in standing.activities_outstanding])
        message = gettext("Your result is saved. To complete this lesson, pass %(activities)s.") % {
            "activities": labels
        }
        link = None
    else:
        message = gettext("Your result is saved.")
        link = None
    return {
        "message": message,
        "link": link,
        "lesson_completed": standing.lesson_completed,
        "course_completed": standing.completion is not None,
        "outstanding": len(standing.activities_outstanding),
    }


@require_GET
@never_cache
def lesson_standing_json(request: HttpRequest, lesson_id: int) -> HttpResponse:
    """Where the person stands on a lesson, for the lesson page's script after an activity
    in it records a result (the H5P player's results arrive without a page load)."""
    if not request.user.is_authenticated:
        return JsonResponse({"error": gettext("Log in to see your progress.")}, status=401)
    lesson = get_object_or_404(LessonPage.objects.live(), pk=lesson_id)
    standing = lesson_standing(user=request.user, lesson=lesson)
    if standing is None:
        return JsonResponse({"error": gettext("You are not enrolled on this course.")}, status=404)
    return JsonResponse(_standing_feedback(standing, lesson, request))


@login_required
@require_POST
def reflection_save(request: HttpRequest, lesson_id: int, block_id: str) -> HttpResponse:
    lesson = get_object_or_404(LessonPage.objects.live(), pk=lesson_id)
    text = request.POST.get("text", "")
    lesson_url = _page_url(lesson, request)
    try:
        services.reflection_save(user=request.user, lesson=lesson, block_id=block_id, text=text)
    except ValidationError as error:
        field_errors = getattr(error, "error_dict", {}).get("text")
        prompt = selectors.reflection_prompt(lesson=lesson, block_id=block_id)
        return render(
            request,
            "imh_courses/learning/reflection_error.html",
            {
                "lesson": lesson,
                "lesson_url": lesson_url,
                "block_id": block_id,
                "prompt": prompt,
                "text": text,
                "error": _error_text(error),
                # Only a problem with the text itself can be put right by sending it again.
                "can_retry": bool(field_errors) and prompt is not None,
                "crumbs": [(gettext("Home"), "/"), (lesson.title, lesson_url)],
            },
            status=400,
        )
    messages.success(
        request,
        gettext("Your reflection is saved. Only you can see it; it is kept in your portfolio."),
    )
    return redirect(f"{lesson_url}#reflection-{block_id}")


@login_required
@require_GET
def my_learning(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "imh_courses/learning/my_learning.html",
        {**selectors.my_learning(user=request.user), "crumbs": [(gettext("Home"), "/")]},
    )


urlpatterns = [
    path("", my_learning, name="my_learning"),
    path("courses/<int:course_id>/enrol/", enrol, name="enrol"),
    path("lessons/<int:lesson_id>/complete/", lesson_complete, name="lesson_complete"),
    path("lessons/<int:lesson_id>/standing/", lesson_standing_json, name="lesson_standing"),
    path(
        "lessons/<int:lesson_id>/reflections/<str:block_id>/",
        reflection_save,
        name="reflection_save",
    ),
]
