"""Reads about organisations and memberships, shaped for pages and for other apps."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from allauth.account.models import EmailAddress
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.db.models.functions import Lower
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from imh_core.people import select_people
from imh_courses.selectors import sessions as session_selectors
from imh_organisations.models import Invitation, Membership, Organisation

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

    from imh_courses.models import Booking


# People's own memberships.


def memberships_for_user(
    *, user: AbstractBaseUser, statuses: Iterable[str] | None = Membership.CURRENT_STATUSES
) -> QuerySet[Membership]:
    """A person's memberships (current ones, pending or active, by default)."""
    queryset = Membership.objects.filter(user=user).select_related("organisation")
    if statuses is not None:
        queryset = queryset.filter(status__in=list(statuses))
    return queryset.order_by("organisation__name", "-requested_at")


def membership_for_user(*, user: AbstractBaseUser, pk: int) -> Membership:
    """One of the person's own current memberships, or 404."""
    return get_object_or_404(memberships_for_user(user=user), pk=pk)


# Managers and their organisations.


def organisations_managed_by(*, user: AbstractBaseUser) -> QuerySet[Organisation]:
    """Organisations where ``user`` is an active manager."""
    if not getattr(user, "is_authenticated", False):
        return Organisation.objects.none()
    # One current membership per person and organisation (a database constraint), so the join
    # cannot repeat an organisation.
    return Organisation.objects.filter(
        memberships__user=user,
        memberships__role=Membership.Role.MANAGER,
        memberships__status=Membership.Status.ACTIVE,
    ).order_by("name")


def organisation_for_manager(*, user: AbstractBaseUser, pk: int) -> Organisation:
    """The organisation ``pk`` if ``user`` actively manages it; otherwise 404, never 403.

    A 404 tells someone probing ids nothing about which organisations exist.
    """
    try:
        return organisations_managed_by(user=user).get(pk=pk)
    except Organisation.DoesNotExist:
        raise Http404("No organisation that you manage has this id.") from None


def user_is_manager_of(*, user: AbstractBaseUser, organisation: Organisation) -> bool:
    return organisations_managed_by(user=user).filter(pk=organisation.pk).exists()


def members_of(
    *,
    organisation: Organisation,
    status: str | Iterable[str] | None = Membership.Status.ACTIVE,
    role: str | None = None,
) -> QuerySet[Membership]:
    """Memberships of an organisation (active by default), managers first, then by name."""
    queryset = Membership.objects.filter(organisation=organisation)
    if isinstance(status, str):
        queryset = queryset.filter(status=status)
    elif status is not None:
        queryset = queryset.filter(status__in=list(status))
    if role is not None:
        queryset = queryset.filter(role=role)
    managers_first = Case(
        When(role=Membership.Role.MANAGER, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return select_people(queryset, "user").order_by(
        managers_first, "user__last_name", "user__first_name", "user__email"
    )


def pending_requests(*, organisation: Organisation) -> QuerySet[Membership]:
    """Requests to join that wait for a manager, oldest first."""
    return select_people(
        Membership.objects.filter(organisation=organisation, status=Membership.Status.PENDING),
        "user",
    ).order_by("requested_at", "pk")


def membership_of_organisation(*, organisation: Organisation, pk: int) -> Membership:
    """A membership looked up only within ``organisation``: another organisation's id is a 404."""
    return get_object_or_404(
        Membership.objects.filter(organisation=organisation).select_related("user", "organisation"),
        pk=pk,
    )


def manager_emails_for(*, organisation: Organisation) -> list[str]:
    """Where to send news a manager must act on."""
    return [
        email
        for email in Membership.objects.filter(
            organisation=organisation,
            role=Membership.Role.MANAGER,
            status=Membership.Status.ACTIVE,
        ).values_list("user__email", flat=True)
        if email
    ]


# Invitations.


def invitations_open_for(*, organisation: Organisation) -> QuerySet[Invitation]:
    """Invitations not yet accepted or withdrawn (expired ones included, so they can be revoked)."""
    return select_people(
        Invitation.objects.filter(
            organisation=organisation, accepted_at__isnull=True, revoked_at__isnull=True
        ),
        "invited_by",
    ).order_by("-created_at")


def invitation_of_organisation(*, organisation: Organisation, pk: int) -> Invitation:
    """An invitation looked up only within ``organisation``: another organisation's id is a 404."""
    return get_object_or_404(
        Invitation.objects.filter(organisation=organisation).select_related("organisation"),
        pk=pk,
    )


def invitation_by_token(*, token: str) -> Invitation | None:
    if not token:
        return None
    return Invitation.objects.select_related("organisation").filter(token=token).first()


_INVITATION_UNUSABLE = {
    Invitation.State.ACCEPTED: _("This invitation has already been used."),
    Invitation.State.REVOKED: _("This invitation has been withdrawn."),
    Invitation.State.EXPIRED: _(
        "This invitation has expired. Ask the manager who invited you to send a new one."
    ),
}


def invitation_problem(*, invitation: Invitation | None) -> tuple[str, str] | None:
    """Why an invitation cannot be accepted, as (code, message); ``None`` if it can."""
    if invitation is None:
        return (
            "unknown",
            gettext(
                "This invitation link is not valid. Check you copied the whole link from the email."
            ),
        )
    state = invitation.state
    if state in _INVITATION_UNUSABLE:
        return str(state), str(_INVITATION_UNUSABLE[state])
    if not invitation.organisation.is_active:
        return "inactive", gettext("%(organisation)s is not taking new members.") % {
            "organisation": invitation.organisation.name
        }
    return None


def user_has_verified_email(*, user: AbstractBaseUser, email: str) -> bool:
    """Whether ``user`` has proved they own ``email`` (an allauth verified address)."""
    return EmailAddress.objects.filter(user=user, email__iexact=email, verified=True).exists()


def invitations_for_emails(*, emails: Iterable[str]) -> QuerySet[Invitation]:
    """Invitations addressed to any of ``emails`` (compared without regard to case)."""
    lowered = {email.strip().lower() for email in emails if email}
    if not lowered:
        return Invitation.objects.none()
    return (
        Invitation.objects.alias(email_lower=Lower("email"))
        .filter(email_lower__in=lowered)
        .select_related("organisation")
    )


# For other apps (dashboards, certificates, assignments).


def manager_user_ids_for(*, user: AbstractBaseUser) -> set[int]:
    """Ids of the people who actively manage ``user`` in any organisation they actively belong to.

    ``user`` is not included, even when they manage one of those organisations themself.
    """
    organisation_ids = Membership.objects.filter(user=user, status=Membership.Status.ACTIVE).values(
        "organisation_id"
    )
    return set(
        Membership.objects.filter(
            organisation_id__in=organisation_ids,
            role=Membership.Role.MANAGER,
            status=Membership.Status.ACTIVE,
        )
        .exclude(user=user)
        .values_list("user_id", flat=True)
    )


def member_user_ids_managed_by(*, user: AbstractBaseUser) -> set[int]:
    """Ids of active members (any role) of the organisations ``user`` actively manages."""
    organisation_ids = Membership.objects.filter(
        user=user, role=Membership.Role.MANAGER, status=Membership.Status.ACTIVE
    ).values("organisation_id")
    return set(
        Membership.objects.filter(
            organisation_id__in=organisation_ids, status=Membership.Status.ACTIVE
        ).values_list("user_id", flat=True)
    )


def user_manages_user(*, manager: AbstractBaseUser, member: AbstractBaseUser) -> bool:
    """Whether ``manager`` actively manages an organisation where ``member`` is active."""
    return manager.pk in manager_user_ids_for(user=member)


# Live-session bookings that wait for a manager's approval (courses decides the rest).


def session_bookings_awaiting(
    *, organisation: Organisation, manager: AbstractBaseUser
) -> QuerySet[Booking]:
    """Bookings by the organisation's active members that wait for approval, oldest first.

    A manager's own bookings are left out: another manager approves those.
    """
    member_ids = (
        Membership.objects.filter(organisation=organisation, status=Membership.Status.ACTIVE)
        .exclude(user=manager)
        .values("user_id")
    )
    return select_people(session_selectors.bookings_awaiting_approval(user_ids=member_ids), "user")


def session_booking_awaiting_for_manager(
    *, organisation: Organisation, manager: AbstractBaseUser, pk: int
) -> Booking:
    """One booking waiting for this manager's approval, or 404 (someone else's is a 404 too)."""
    return get_object_or_404(
        session_bookings_awaiting(organisation=organisation, manager=manager), pk=pk
    )


# Supervisors (who may record observations of practice for an organisation's staff).


def user_supervises_user(*, supervisor: AbstractBaseUser, trainee: AbstractBaseUser) -> bool:
    """Whether ``supervisor`` is a named supervisor in an organisation where both are active."""
    if not getattr(supervisor, "is_authenticated", False) or supervisor.pk == trainee.pk:
        return False
    supervised_in = Membership.objects.filter(
        user=supervisor, status=Membership.Status.ACTIVE, is_supervisor=True
    ).values("organisation_id")
    return Membership.objects.filter(
        user=trainee, status=Membership.Status.ACTIVE, organisation_id__in=supervised_in
    ).exists()


def users_supervised_by(*, supervisor: AbstractBaseUser) -> list[Any]:
    """The active members of the organisations where ``supervisor`` is a named supervisor."""
    if not getattr(supervisor, "is_authenticated", False):
        return []
    supervised_in = Membership.objects.filter(
        user=supervisor, status=Membership.Status.ACTIVE, is_supervisor=True
    ).values("organisation_id")
    memberships = select_people(
        Membership.objects.filter(
            status=Membership.Status.ACTIVE, organisation_id__in=supervised_in
        ).exclude(user=supervisor),
        "user",
    )
    people: dict[int, Any] = {}
    for membership in memberships:
        people.setdefault(membership.user_id, membership.user)
    return list(people.values())
