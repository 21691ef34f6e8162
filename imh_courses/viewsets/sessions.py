"""Wagtail admin for live sessions: educators plan them, and look up who has booked.

Sessions are saved and cancelled through the session services, so the admin keeps the same
rules as the site (capacity never below the places taken, the waiting list offered new
places, booked people told of changes). Bookings are learner records: read-only here.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    ObjectList,
)
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.models import CopyViewMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.admin.widgets.button import Button, MenuItem
from wagtail.log_actions import log
from wagtail.permissions import register_permission_policy

from imh_accounts.permissions import ReadOnlyPermissionPolicy
from imh_core.formatting import datetime_text
from imh_core.hooks import IMH_LEARNING_MENU_ITEMS
from imh_core.people import person_name, person_name_with_email
from imh_core.views import SpreadsheetSafeIndexView
from imh_courses.forms import CompetencySelect
from imh_courses.models import Booking, LiveSession
from imh_courses.selectors import sessions as selectors
from imh_courses.services import sessions as services

# Before any viewset asks for Booking's policy (Wagtail would otherwise make a fallback).
register_permission_policy(Booking, ReadOnlyPermissionPolicy(Booking))


def _uk(moment) -> str:
    return datetime_text(moment, "D j M Y") if moment else ""


class LiveSessionForm(WagtailAdminModelForm):
    """Facilitators are chosen from people who can use the admin (educators, administrators)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("facilitator")
        if field is not None:
            admins = Q(is_superuser=True) | Q(groups__permissions__codename="access_admin")
            if self.instance.facilitator_id:
                admins |= Q(pk=self.instance.facilitator_id)
            field.queryset = (
                get_user_model()
                .objects.filter(admins, is_active=True)
                .distinct()
                .order_by("last_name", "first_name", "email")
            )
            field.label_from_instance = person_name_with_email
            field.help_text = _(
                "They can mark the attendance register. Only people who can use this admin "
                "are listed."
            )


class _ServiceSaveMixin:
    """Save through ``session_save``; a ValidationError from it shows on the form."""

    log_action_name = ""

    def save_instance(self) -> LiveSession:
        session = services.session_save(
            session=self.form.save(commit=False), actor=self.request.user
        )
        log(instance=session, action=self.log_action_name, user=self.request.user)
        return session

    def form_valid(self, form) -> HttpResponse:
        try:
            return super().form_valid(form)
        except (ValidationError, PermissionDenied) as error:
            # A dict of errors lands beside the fields it names; anything else above the form.
            form.add_error(None, error if isinstance(error, ValidationError) else str(error))
            self.produced_error_code = "validation_error"
            self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)


class LiveSessionCreateView(_ServiceSaveMixin, generic.CreateView):
    log_action_name = "wagtail.create"


class LiveSessionCopyView(CopyViewMixin, LiveSessionCreateView):
    pass


class LiveSessionEditView(_ServiceSaveMixin, generic.EditView):
    log_action_name = "wagtail.edit"

    @cached_property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        buttons += [
            Button(
                _("Attendance register"),
                url=reverse("imh_courses:session_register", args=[self.object.pk]),
                icon_name="tasks",
                priority=40,
            ),
            Button(
                _("View on site"),
                url=reverse("imh_courses:session_detail", args=[self.object.pk]),
                icon_name="link-external",
                priority=45,
            ),
        ]
        return buttons


class LiveSessionIndexView(generic.IndexView):
    cancel_url_name = None
    bookings_index_url_name = None

    def get_base_queryset(self):
        return selectors.sessions_with_places(super().get_base_queryset()).select_related("course")

    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        buttons.append(
            MenuItem(
                _("Attendance register"),
                url=reverse("imh_courses:session_register", args=[instance.pk]),
                icon_name="tasks",
                priority=40,
            )
        )
        if self.bookings_index_url_name:
            buttons.append(
                MenuItem(
                    _("Bookings"),
                    url=reverse(self.bookings_index_url_name) + f"?session={instance.pk}",
                    icon_name="user",
                    priority=45,
                )
            )
        if (
            self.cancel_url_name
            and instance.status == LiveSession.Status.SCHEDULED
            and self.user_has_permission("change")
        ):
            buttons.append(
                MenuItem(
                    _("Cancel session"),
                    url=reverse(self.cancel_url_name, args=[instance.pk]),
                    icon_name="cross",
                    priority=50,
                )
            )
        return buttons


class LiveSessionCancelView(PermissionCheckedMixin, WagtailAdminTemplateMixin, TemplateView):
    """Confirm, then call off a session: everyone booked or waiting is emailed."""

    model = LiveSession
    permission_required = "change"
    template_name = "imh_courses/sessions/admin/confirm_cancel.html"
    page_title = _("Cancel live session")
    header_icon = "date"
    index_url_name = None
    cancel_url_name = None

    def setup(self, request: HttpRequest, *args, **kwargs) -> None:
        super().setup(request, *args, **kwargs)
        self.object = get_object_or_404(
            selectors.sessions_with_places(LiveSession.objects.select_related("course")),
            pk=kwargs["pk"],
        )

    def get_page_subtitle(self) -> str:
        return str(self.object)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            {
                "object": self.object,
                "cancel_url": reverse(self.cancel_url_name, args=[self.object.pk]),
                "index_url": reverse(self.index_url_name),
            }
        )
        return context

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            services.session_cancel(session=self.object, actor=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            log(instance=self.object, action="wagtail.edit", user=request.user)
            messages.success(
                request,
                f"“{self.object.title}” is cancelled. Everyone booked or waiting has been emailed.",
            )
        return redirect(self.index_url_name)


def _places(session: LiveSession) -> str:
    return f"{session.places_taken} / {session.capacity}"


def _register_link(session: LiveSession):
    return format_html(
        '<a href="{}">Register</a>', reverse("imh_courses:session_register", args=[session.pk])
    )


class LiveSessionViewSet(ModelViewSet):
    model = LiveSession
    name = "courses_live_sessions"
    icon = "date"
    menu_label = _("Live sessions")
    url_prefix = "live-sessions"
    index_view_class = LiveSessionIndexView
    add_view_class = LiveSessionCreateView
    edit_view_class = LiveSessionEditView
    copy_view_class = LiveSessionCopyView
    list_display = [
        "title",
        "course",
        Column(
            "starts_at",
            label=_("Starts"),
            accessor=lambda s: _uk(s.starts_at),
            sort_key="starts_at",
        ),
        "kind",
        Column("places", label=_("Places booked"), accessor=_places),
        Column("waiting_count", label=_("Waiting list")),
        "status",
        Column("register", label=_("Attendance"), accessor=_register_link),
    ]
    list_filter = ["kind", "status", "requires_manager_approval"]
    search_fields = ["title", "course__title", "venue"]
    search_backend_name = None
    ordering = ["-starts_at"]
    edit_handler = ObjectList(
        [
            FieldPanel("course"),
            FieldRowPanel([FieldPanel("kind"), FieldPanel("title")]),
            FieldPanel("description"),
            MultiFieldPanel(
                [FieldRowPanel([FieldPanel("starts_at"), FieldPanel("ends_at")])],
                heading=_("When (UK time)"),
            ),
            MultiFieldPanel(
                [FieldPanel("venue"), FieldPanel("joining_url")],
                heading=_("Where"),
            ),
            MultiFieldPanel(
                [
                    FieldPanel("capacity"),
                    FieldRowPanel(
                        [FieldPanel("booking_opens_at"), FieldPanel("booking_closes_at")]
                    ),
                    FieldPanel("cancellation_cutoff_hours"),
                    FieldPanel("requires_manager_approval"),
                ],
                heading=_("Places and booking"),
            ),
            FieldPanel("facilitator"),
            InlinePanel(
                "competency_mappings",
                heading=_("Competencies"),
                label=_("Competency"),
                help_text=_("Attending the session counts as evidence of these competencies."),
                panels=[
                    FieldPanel("competency", widget=CompetencySelect),
                    FieldPanel("level"),
                ],
            ),
        ],
        base_form_class=LiveSessionForm,
    )

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(
            cancel_url_name=self.get_url_name("cancel"),
            bookings_index_url_name=self.bookings_index_url_name,
            **kwargs,
        )

    @property
    def bookings_index_url_name(self) -> str:
        return f"{BookingViewSet.name}:index"

    @property
    def cancel_view(self):
        return self.construct_view(
            LiveSessionCancelView,
            index_url_name=self.get_url_name("index"),
            cancel_url_name=self.get_url_name("cancel"),
        )

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("cancel/<int:pk>/", self.cancel_view, name="cancel"),
        ]


def _person(booking: Booking) -> str:
    return person_name(booking.user)


class BookingIndexView(SpreadsheetSafeIndexView):
    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .select_related("user", "user__profile", "session", "session__course")
        )


class BookingViewSet(ModelViewSet):
    """Who booked, waits or attended: read-only (bookings change only through the services)."""

    model = Booking
    name = "courses_bookings"
    icon = "user"
    menu_label = _("Bookings")
    url_prefix = "live-session-bookings"
    index_view_class = BookingIndexView
    copy_view_enabled = False
    inspect_view_enabled = True
    inspect_view_fields = [
        "user",
        "session",
        "status",
        "attendance",
        "attendance_marked_by",
        "attendance_marked_at",
        "approval_decided_by",
        "created_at",
        "cancelled_at",
    ]
    list_display = [
        Column("person", label=_("Person"), accessor=_person),
        "user__email",
        "session",
        "status",
        "attendance",
        Column(
            "created_at",
            label=_("Booked"),
            accessor=lambda b: _uk(b.created_at),
            sort_key="created_at",
        ),
    ]
    list_filter = ["status", "attendance", "session"]
    # Dotted paths: the export reads attributes, not query lookups.
    list_export = [
        "user.email",
        "user.first_name",
        "user.last_name",
        "session.title",
        "session.starts_at",
        "get_status_display",
        "get_attendance_display",
        "created_at",
    ]
    export_headings = {
        "user.email": _("Email"),
        "user.first_name": _("First name"),
        "user.last_name": _("Last name"),
        "session.title": _("Session"),
        "session.starts_at": _("Starts"),
        "get_status_display": _("Status"),
        "get_attendance_display": _("Attendance"),
        "created_at": _("Booked"),
    }
    export_filename = "live-session-bookings"
    search_fields = ["user__email", "user__first_name", "user__last_name", "session__title"]
    search_backend_name = None
    ordering = ["-created_at"]
    form_fields = ["status"]


class LiveSessionsViewSetGroup(ModelViewSetGroup):
    menu_label = _("Live sessions")
    menu_icon = "date"
    menu_order = 220
    menu_hook = IMH_LEARNING_MENU_ITEMS
    items = (LiveSessionViewSet, BookingViewSet)


VIEWSETS: list = [LiveSessionsViewSetGroup()]
