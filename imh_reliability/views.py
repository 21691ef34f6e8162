"""Trainee pages for reliability tests, and the signed clip stream.

Each view parses the request and calls one service or selector. Attempts are looked up
through the person's own records, so another person's attempt is a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from imh_reliability import selectors, services
from imh_reliability.feedback import attempt_feedback
from imh_reliability.forms import ClipRatingForm
from imh_reliability.models import Attempt, Clip, ClipView, ReliabilityTest
from imh_reliability.streaming import is_stream_start, ranged_file_response


def _crumbs(*extra: tuple[str, str]) -> list[tuple[str, str]]:
    return [(_("Home"), "/"), (_("Reliability tests"), reverse("imh_reliability:index")), *extra]


def _status(test: ReliabilityTest, latest: Attempt | None, best: Attempt | None) -> dict:
    """What the list and the test page say about where the person stands."""
    if best is not None:
        return {"key": "passed", "colour": "green", "until": best.expires_on}
    if latest is not None and latest.passed:
        return {"key": "expired", "colour": "red", "until": latest.expires_on}
    if latest is not None:
        return {"key": "failed", "colour": "orange", "until": None}
    return {"key": "not_taken", "colour": "grey", "until": None}


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    latest = selectors.latest_attempts(user=request.user)
    best = selectors.best_current_attempts(user=request.user)
    rows = [
        {"test": test, "status": _status(test, latest.get(test.pk), best.get(test.pk))}
        for test in selectors.live_tests()
    ]
    return render(
        request,
        "imh_reliability/index.html",
        {"rows": rows, "crumbs": [(_("Home"), "/")]},
    )


def _live_test(slug: str) -> ReliabilityTest:
    return get_object_or_404(ReliabilityTest.objects.select_related("scale"), slug=slug, live=True)


@login_required
@require_GET
def test_detail(request: HttpRequest, slug: str) -> HttpResponse:
    test = _live_test(slug)
    latest = selectors.latest_attempts(user=request.user).get(test.pk)
    best = selectors.best_current_attempts(user=request.user).get(test.pk)
    return render(
        request,
        "imh_reliability/test_detail.html",
        {
            "test": test,
            "items": selectors.scale_items(scale=test.scale),
            "availability": selectors.test_availability(test=test),
            "open_attempt": selectors.open_attempt(user=request.user, test=test),
            "latest": latest,
            "status": _status(test, latest, best),
            "crumbs": _crumbs(),
        },
    )


@login_required
@require_POST
def test_start(request: HttpRequest, slug: str) -> HttpResponse:
    test = _live_test(slug)
    try:
        attempt = services.attempt_start(user=request.user, test=test)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("imh_reliability:test", slug=test.slug)
    return redirect("imh_reliability:rate", pk=attempt.pk, number=1)


def _own_attempt(request: HttpRequest, pk: int) -> Attempt:
    return get_object_or_404(
        Attempt.objects.select_related("test__scale"), pk=pk, user=request.user
    )


@login_required
@require_http_methods(["GET", "POST"])
def rate(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    attempt = _own_attempt(request, pk)
    if attempt.submitted_at is not None:
        return redirect("imh_reliability:result", pk=attempt.pk)
    total = len(attempt.clip_ids)
    if not 1 <= number <= total:
        raise Http404
    clip = get_object_or_404(Clip, pk=attempt.clip_ids[number - 1])
    items = selectors.scale_items(scale=attempt.test.scale)
    rated = selectors.attempt_ratings(attempt=attempt)
    initial = {
        f"item_{item.pk}": rated[(clip.pk, item.pk)]
        for item in items
        if (clip.pk, item.pk) in rated
    }
    form = ClipRatingForm(request.POST or None, items=items, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.ratings_save(attempt=attempt, clip=clip, values=form.values())
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            action = request.POST.get("action", "next")
            if action == "previous" and number > 1:
                return redirect("imh_reliability:rate", pk=attempt.pk, number=number - 1)
            if action == "later":
                messages.success(
                    request, _("Your ratings are saved. You can carry on where you left off.")
                )
                return redirect("imh_reliability:test", slug=attempt.test.slug)
            if action == "next" and number < total:
                return redirect("imh_reliability:rate", pk=attempt.pk, number=number + 1)
            return redirect("imh_reliability:review", pk=attempt.pk)
    stream_url = None
    if not clip.is_deleted and clip.file:
        stream_url = services.clip_url(
            clip=clip, user=request.user, purpose=ClipView.Purpose.RATING, attempt=attempt
        )
    return render(
        request,
        "imh_reliability/rate.html",
        {
            "attempt": attempt,
            "test": attempt.test,
            "clip": clip,
            "number": number,
            "total": total,
            "form": form,
            "groups": form.groups(),
            "stream_url": stream_url,
            "crumbs": _crumbs(
                (attempt.test.title, reverse("imh_reliability:test", args=[attempt.test.slug]))
            ),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def review(request: HttpRequest, pk: int) -> HttpResponse:
    """Check everything is rated, then submit."""
    attempt = _own_attempt(request, pk)
    if attempt.submitted_at is not None:
        return redirect("imh_reliability:result", pk=attempt.pk)
    error = None
    if request.method == "POST":
        try:
            services.attempt_submit(attempt=attempt)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            return redirect("imh_reliability:result", pk=attempt.pk)
    missing = services.attempt_missing(attempt=attempt)
    numbers = {clip_id: n for n, clip_id in enumerate(attempt.clip_ids, start=1)}
    return render(
        request,
        "imh_reliability/review.html",
        {
            "attempt": attempt,
            "test": attempt.test,
            "missing": [
                {"clip": clip, "items": items, "number": numbers[clip.pk]}
                for clip, items in missing
            ],
            "error": error,
            "total": len(attempt.clip_ids),
            "crumbs": _crumbs(
                (attempt.test.title, reverse("imh_reliability:test", args=[attempt.test.slug]))
            ),
        },
        status=400 if error else 200,
    )


@login_required
@require_GET
def result(request: HttpRequest, pk: int) -> HttpResponse:
    attempt = _own_attempt(request, pk)
    if attempt.submitted_at is None:
        return redirect("imh_reliability:review", pk=attempt.pk)
    return render(
        request,
        "imh_reliability/result.html",
        {
            "attempt": attempt,
            "test": attempt.test,
            "metric_label": services.metric_label(attempt.metric or attempt.test.metric),
            "feedback": attempt_feedback(attempt=attempt),
            "clips": selectors.attempt_clips_numbered(attempt=attempt),
            "crumbs": _crumbs(
                (attempt.test.title, reverse("imh_reliability:test", args=[attempt.test.slug]))
            ),
        },
    )


@login_required
@require_GET
def clip_feedback(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """After submitting: watch one clip again beside your ratings and the reference ratings."""
    attempt = _own_attempt(request, pk)
    if attempt.submitted_at is None:
        return redirect("imh_reliability:rate", pk=attempt.pk, number=number)
    total = len(attempt.clip_ids)
    if not 1 <= number <= total:
        raise Http404
    clip = get_object_or_404(Clip, pk=attempt.clip_ids[number - 1])
    rows = [
        (item, entry)
        for item in attempt_feedback(attempt=attempt)
        for entry in item.clips
        if entry.clip_id == clip.pk
    ]
    stream_url = None
    if not clip.is_deleted and clip.file:
        stream_url = services.clip_url(
            clip=clip, user=request.user, purpose=ClipView.Purpose.REVIEW, attempt=attempt
        )
    return render(
        request,
        "imh_reliability/clip_feedback.html",
        {
            "attempt": attempt,
            "test": attempt.test,
            "clip": clip,
            "number": number,
            "total": total,
            "rows": rows,
            "agreed": sum(1 for _item, entry in rows if entry.agrees),
            "stream_url": stream_url,
            "crumbs": _crumbs(
                (attempt.test.title, reverse("imh_reliability:test", args=[attempt.test.slug])),
                (_("Your result"), reverse("imh_reliability:result", args=[attempt.pk])),
            ),
        },
    )


def _refuse(request: HttpRequest, message: str, status: int) -> HttpResponse:
    response = render(
        request,
        "imh_reliability/clip_unavailable.html",
        {"message": message, "crumbs": _crumbs()},
        status=status,
    )
    response["Cache-Control"] = "private, no-store"
    return response


def _client_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


@login_required
@require_GET
def clip_stream(request: HttpRequest, token: str) -> HttpResponse:
    """The clip's video, to the person the signed token was made for, while it is valid."""
    try:
        clip, grant = services.clip_for_token(token=token, user=request.user)
    except services.ClipTokenError as exc:
        return _refuse(request, exc.message, exc.status)
    purpose, attempt_id = grant["purpose"], grant["attempt_id"]
    try:
        handle = clip.file.storage.open(clip.file.name, "rb")
        size = clip.file.storage.size(clip.file.name)
    except (OSError, FileNotFoundError):
        return _refuse(request, _("The clip's file cannot be found."), 404)
    range_header = request.META.get("HTTP_RANGE", "")
    if is_stream_start(range_header):
        services.clip_view_log(
            clip=clip,
            user=request.user,
            purpose=purpose,
            attempt_id=attempt_id,
            ip=_client_ip(request),
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
        )
    return ranged_file_response(
        handle=handle,
        size=size,
        content_type=clip.content_type or "application/octet-stream",
        range_header=range_header,
    )


urlpatterns = [
    path("", index, name="index"),
    path("clips/<str:token>/", clip_stream, name="clip_stream"),
    path("attempts/<int:pk>/clips/<int:number>/", rate, name="rate"),
    path("attempts/<int:pk>/submit/", review, name="review"),
    path("attempts/<int:pk>/", result, name="result"),
    path("attempts/<int:pk>/clips/<int:number>/feedback/", clip_feedback, name="clip_feedback"),
    path("<slug:slug>/", test_detail, name="test"),
    path("<slug:slug>/start/", test_start, name="start"),
]
