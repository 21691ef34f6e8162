"""Every change to organisations, memberships and invitations goes through these functions.

Each runs in one transaction and validates with ``full_clean()``; decisions that depend on a
read (is this the last manager? is this code still free?) lock the organisation row first, so
two requests cannot both decide on the same stale picture. Input problems raise
``ValidationError`` with a message fit to show the person; acting on an organisation one does
not manage raises ``PermissionDenied``. Emails go out only after the transaction commits.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from allauth.account.models import EmailAddress
from django.contrib.auth.base_user import BaseUserManager
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from imh_core.links import site_url
from imh_core.mail import email_send
from imh_core.people import person_name
from imh_courses.selectors import sessions as session_selectors
from imh_courses.services import sessions as session_services
from imh_organisations import selectors
from imh_organisations.events import membership_activated
from imh_organisations.models import (
    JOIN_CODE_LENGTH,
    Invitation,
    Membership,
    Organisation,
    Site,
    Team,
    join_code_default_expiry,
    join_code_generate,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

    from imh_courses.models import Booking

_SLUG_BASE_MAX_LENGTH = 200
_JOIN_CODE_ATTEMPTS = 20
_JOIN_CODE_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015]+")


# Helpers.


def _field_error(field: str, message: str, *, code: str) -> ValidationError:
    """An error about one input (shown beside that form field), with a code tests can check."""
    return ValidationError({field: ValidationError(message, code=code)})


def _lock_organisation(organisation: Organisation) -> Organisation:
    return Organisation.objects.select_for_update().get(pk=organisation.pk)


def _lock_membership(membership: Membership) -> tuple[Organisation, Membership]:
    """Lock the membership's organisation, then the membership (always in that order)."""
    organisation = _lock_organisation(membership.organisation)
    locked = (
        # of=("self",): lock the membership row, not the joined user row.
        Membership.objects.select_for_update(of=("self",))
        .select_related("user")
        .get(pk=membership.pk, organisation=organisation)
    )
    locked.organisation = organisation
    return organisation, locked


def _require_manager(*, organisation: Organisation, actor: AbstractBaseUser | None) -> None:
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(
            _("Only a manager of %(organisation)s can do this.")
            % {"organisation": organisation.name}
        )
    is_manager = Membership.objects.filter(
        organisation=organisation,
        user=actor,
        role=Membership.Role.MANAGER,
        status=Membership.Status.ACTIVE,
    ).exists()
    if not is_manager:
        raise PermissionDenied(
            _("Only a manager of %(organisation)s can do this.")
            % {"organisation": organisation.name}
        )


def _other_active_managers(*, organisation: Organisation, membership: Membership) -> int:
    return (
        Membership.objects.filter(
            organisation=organisation,
            role=Membership.Role.MANAGER,
            status=Membership.Status.ACTIVE,
        )
        .exclude(pk=membership.pk)
        .count()
    )


def _role_validate(role: str) -> None:
    if role not in Membership.Role.values:
        raise _field_error("role", _("Choose staff or manager."), code="invalid_role")


def _members_url(organisation: Organisation) -> str:
    return site_url(reverse("imh_organisations:manage", args=[organisation.pk]))


def _mine_url() -> str:
    return site_url(reverse("imh_organisations:mine"))


def join_code_normalise(code: str) -> str:
    """What people type (``abcd-2345``, ``ABCD 2345``) as it is stored (``ABCD2345``)."""
    return _JOIN_CODE_SEPARATORS.sub("", code or "").upper()


def _join_code_unused() -> str:
    for _attempt in range(_JOIN_CODE_ATTEMPTS):
        code = join_code_generate()
        if not Organisation.objects.filter(join_code=code).exists():
            return code
    # 31^8 codes: reaching this means something is badly wrong, not bad luck.
    raise RuntimeError("Could not find an unused join code.")


def _slug_unused(name: str, *, exclude_pk: int | None = None) -> str:
    base = slugify(name)[:_SLUG_BASE_MAX_LENGTH].strip("-") or "organisation"
    taken = Organisation.objects.all()
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    slug, suffix = base, 2
    while taken.filter(slug=slug).exists():
        slug, suffix = f"{base}-{suffix}", suffix + 1
    return slug


# Organisations.


@transaction.atomic
def organisation_create(
    *,
    name: str,
    organisation_type: str,
    ods_code: str = "",
    slug: str = "",
    is_active: bool = True,
) -> Organisation:
    """Create an organisation with a fresh join code; the slug is made from the name if omitted."""
    name = (name or "").strip()
    organisation = Organisation(
        name=name,
        slug=slug.strip() or _slug_unused(name),
        organisation_type=organisation_type,
        ods_code=(ods_code or "").strip().upper(),
        is_active=is_active,
        join_code=_join_code_unused(),
        join_code_expires_at=join_code_default_expiry(),
    )
    organisation.full_clean()
    organisation.save()
    return organisation


@transaction.atomic
def organisation_update(
    *,
    organisation: Organisation,
    name: str | None = None,
    organisation_type: str | None = None,
    ods_code: str | None = None,
    slug: str | None = None,
    is_active: bool | None = None,
) -> Organisation:
    """Change an organisation's details (platform administrators); ``None`` leaves a field be."""
    locked = _lock_organisation(organisation)
    if name is not None:
        locked.name = name.strip()
    if organisation_type is not None:
        locked.organisation_type = organisation_type
    if ods_code is not None:
        locked.ods_code = ods_code.strip().upper()
    if slug is not None:
        locked.slug = slug.strip() or _slug_unused(locked.name, exclude_pk=locked.pk)
    if is_active is not None:
        locked.is_active = is_active
    locked.full_clean()
    locked.save()
    return locked


@transaction.atomic
def organisation_join_code_regenerate(
    *, organisation: Organisation, actor: AbstractBaseUser
) -> Organisation:
    """Replace the join code (the old one stops working at once) and restart its 30 days."""
    locked = _lock_organisation(organisation)
    _require_manager(organisation=locked, actor=actor)
    locked.join_code = _join_code_unused()
    locked.join_code_expires_at = join_code_default_expiry()
    locked.full_clean()
    locked.save(update_fields=["join_code", "join_code_expires_at"])
    return locked


# Memberships.


@transaction.atomic
def membership_request_by_code(*, user: AbstractBaseUser, code: str) -> Membership:
    """Ask to join the organisation whose join code this is; its managers are emailed."""
    normalised = join_code_normalise(code)
    if not normalised:
        raise _field_error(
            "code", _("Enter the join code your organisation gave you."), code="required"
        )
    organisation = (
        Organisation.objects.select_for_update()
        .filter(join_code=normalised, is_active=True)
        .first()
        if len(normalised) == JOIN_CODE_LENGTH
        else None
    )
    if organisation is None:
        raise _field_error(
            "code",
            _(
                "We could not find an organisation with that join code. Check the code "
                "and try again."
            ),
            code="unknown_code",
        )
    if organisation.join_code_is_expired:
        raise _field_error(
            "code",
            _(
                "The join code for %(organisation)s has expired. Ask a manager there "
                "for the new code."
            )
            % {"organisation": organisation.name},
            code="expired_code",
        )
    existing = (
        Membership.objects.select_for_update()
        .filter(user=user, organisation=organisation, status__in=Membership.CURRENT_STATUSES)
        .first()
    )
    if existing is not None and existing.status == Membership.Status.ACTIVE:
        raise _field_error(
            "code",
            _("You are already a member of %(organisation)s.")
            % {"organisation": organisation.name},
            code="already_member",
        )
    if existing is not None:
        raise _field_error(
            "code",
            _(
                "You have already asked to join %(organisation)s. A manager there "
                "will look at your request."
            )
            % {"organisation": organisation.name},
            code="already_requested",
        )

    membership = Membership(
        user=user,
        organisation=organisation,
        role=Membership.Role.STAFF,
        status=Membership.Status.PENDING,
        source=Membership.Source.JOIN_CODE,
        requested_at=timezone.now(),
    )
    membership.full_clean()
    try:
        with transaction.atomic():
            membership.save()
    except IntegrityError as exc:  # A simultaneous request from the same person won the race.
        raise _field_error(
            "code",
            _("You have already asked to join %(organisation)s.")
            % {"organisation": organisation.name},
            code="already_requested",
        ) from exc

    email_send(
        template="imh_organisations/email/membership_requested.txt",
        subject=_("%(name)s asked to join %(organisation)s")
        % {"name": person_name(user), "organisation": organisation.name},
        to=selectors.manager_emails_for(organisation=organisation),
        context={
            "organisation": organisation,
            "person_name": person_name(user),
            "person_email": user.email,
            "members_url": _members_url(organisation),
        },
    )
    return membership


def _membership_decide(
    *, membership: Membership, actor: AbstractBaseUser, approve: bool
) -> Membership:
    organisation, locked = _lock_membership(membership)
    _require_manager(organisation=organisation, actor=actor)
    if locked.status != Membership.Status.PENDING:
        raise ValidationError(
            _("%(name)s's request has already been dealt with.")
            % {"name": person_name(locked.user)},
            code="not_pending",
        )
    locked.status = Membership.Status.ACTIVE if approve else Membership.Status.DECLINED
    locked.decided_at = timezone.now()
    locked.decided_by = actor
    locked.full_clean()
    locked.save(update_fields=["status", "decided_at", "decided_by"])
    if approve:
        membership_activated.send(sender=Membership, membership=locked)
    email_send(
        template=(
            "imh_organisations/email/membership_approved.txt"
            if approve
            else "imh_organisations/email/membership_declined.txt"
        ),
        subject=(
            _("You have joined %(organisation)s")
            if approve
            else _("Your request to join %(organisation)s")
        )
        % {"organisation": organisation.name},
        to=[locked.user.email],
        context={
            "organisation": organisation,
            "person_name": person_name(locked.user),
            "mine_url": _mine_url(),
        },
    )
    return locked


@transaction.atomic
def membership_approve(*, membership: Membership, actor: AbstractBaseUser) -> Membership:
    """A manager accepts a request to join; the person is emailed."""
    return _membership_decide(membership=membership, actor=actor, approve=True)


@transaction.atomic
def membership_decline(*, membership: Membership, actor: AbstractBaseUser) -> Membership:
    """A manager turns down a request to join; the person is emailed."""
    return _membership_decide(membership=membership, actor=actor, approve=False)


@transaction.atomic
def membership_leave(*, membership: Membership, actor: AbstractBaseUser) -> Membership:
    """End a membership (kept as history with status "left").

    The member can leave (or withdraw a request); a manager can remove staff from their own
    organisation. The last active manager cannot go until someone else is a manager.
    """
    organisation, locked = _lock_membership(membership)
    is_self = actor is not None and actor.pk == locked.user_id
    if not is_self:
        _require_manager(organisation=organisation, actor=actor)
        if locked.role == Membership.Role.MANAGER:
            raise ValidationError(
                _("Managers cannot be removed. Change their role to staff first."),
                code="cannot_remove_manager",
            )
    if not locked.is_current:
        raise ValidationError(_("This membership has already ended."), code="not_current")
    if (
        locked.is_active_manager
        and _other_active_managers(organisation=organisation, membership=locked) == 0
    ):
        raise ValidationError(
            _(
                "You are the only manager of %(organisation)s. Make someone else a manager "
                "before you leave."
            )
            % {"organisation": organisation.name},
            code="last_manager",
        )

    locked.status = Membership.Status.LEFT
    locked.ended_at = timezone.now()
    locked.ended_by = actor
    locked.full_clean()
    locked.save(update_fields=["status", "ended_at", "ended_by"])
    if not is_self:
        email_send(
            template="imh_organisations/email/membership_removed.txt",
            subject=_("You are no longer a member of %(organisation)s")
            % {"organisation": organisation.name},
            to=[locked.user.email],
            context={
                "organisation": organisation,
                "person_name": person_name(locked.user),
            },
        )
    return locked


@transaction.atomic
def membership_set_role(
    *, membership: Membership, role: str, actor: AbstractBaseUser
) -> Membership:
    """A manager makes an active member staff or manager; the last manager stays a manager."""
    _role_validate(role)
    organisation, locked = _lock_membership(membership)
    _require_manager(organisation=organisation, actor=actor)
    if locked.status != Membership.Status.ACTIVE:
        raise ValidationError(
            _("You can only change the role of an active member."), code="not_active"
        )
    if locked.role == role:
        return locked
    if (
        locked.role == Membership.Role.MANAGER
        and _other_active_managers(organisation=organisation, membership=locked) == 0
    ):
        raise _field_error(
            "role",
            _("%(organisation)s must have at least one manager. Make someone else a manager first.")
            % {"organisation": organisation.name},
            code="last_manager",
        )
    locked.role = role
    locked.full_clean()
    locked.save(update_fields=["role"])
    email_send(
        template="imh_organisations/email/membership_role_changed.txt",
        subject=_("Your role at %(organisation)s has changed")
        % {"organisation": organisation.name},
        to=[locked.user.email],
        context={
            "organisation": organisation,
            "person_name": person_name(locked.user),
            "role": Membership.Role(locked.role).phrase,
            "mine_url": _mine_url(),
        },
    )
    return locked


@transaction.atomic
def membership_create_active(
    *,
    organisation: Organisation,
    user: AbstractBaseUser,
    role: str = Membership.Role.STAFF,
    actor: AbstractBaseUser | None = None,
    source: str = Membership.Source.ADMIN,
) -> Membership:
    """Make ``user`` an active member straight away (platform administrators, demo data).

    A waiting request is approved with ``role``; an active member is an error.
    """
    _role_validate(role)
    locked_organisation = _lock_organisation(organisation)
    now = timezone.now()
    existing = (
        Membership.objects.select_for_update()
        .filter(
            user=user,
            organisation=locked_organisation,
            status__in=Membership.CURRENT_STATUSES,
        )
        .first()
    )
    if existing is not None and existing.status == Membership.Status.ACTIVE:
        raise ValidationError(
            _("%(name)s is already a member of %(organisation)s.")
            % {
                "name": person_name(user),
                "organisation": locked_organisation.name,
            },
            code="already_member",
        )
    membership = existing or Membership(
        user=user, organisation=locked_organisation, source=source, requested_at=now
    )
    membership.role = role
    membership.status = Membership.Status.ACTIVE
    membership.decided_at = now
    membership.decided_by = actor
    membership.full_clean()
    membership.save()
    membership_activated.send(sender=Membership, membership=membership)
    return membership


@transaction.atomic
def membership_admin_update(
    *, membership: Membership, role: str, status: str, actor: AbstractBaseUser | None
) -> Membership:
    """A platform administrator corrects a membership's role or status.

    Administrators may leave an organisation without a manager (for example while closing it);
    the one-current-membership rule still holds.
    """
    _role_validate(role)
    if status not in Membership.Status.values:
        raise _field_error("status", _("Choose a status."), code="invalid_status")
    _organisation, locked = _lock_membership(membership)
    now = timezone.now()
    activated = status == Membership.Status.ACTIVE and locked.status != status
    if status != locked.status:
        if status in (Membership.Status.ACTIVE, Membership.Status.DECLINED):
            locked.decided_at, locked.decided_by = now, actor
        if status == Membership.Status.LEFT:
            locked.ended_at, locked.ended_by = now, actor
        if status in Membership.CURRENT_STATUSES:
            locked.ended_at, locked.ended_by = None, None
    locked.role = role
    locked.status = status
    locked.full_clean()
    locked.save()
    if activated:
        membership_activated.send(sender=Membership, membership=locked)
    return locked


# Invitations.


@transaction.atomic
def invitation_create(
    *, organisation: Organisation, email: str, role: str, actor: AbstractBaseUser
) -> Invitation:
    """A manager invites someone by email; the email carries a link to accept."""
    _role_validate(role)
    email = BaseUserManager.normalize_email((email or "").strip())
    locked = _lock_organisation(organisation)
    _require_manager(organisation=locked, actor=actor)

    is_member = (
        Membership.objects.filter(organisation=locked, status=Membership.Status.ACTIVE)
        .filter(Q(user__email__iexact=email) | Q(user__emailaddress__email__iexact=email))
        .exists()
    )
    if email and is_member:
        raise _field_error(
            "email",
            _("%(email)s is already a member of %(organisation)s.")
            % {"email": email, "organisation": locked.name},
            code="already_member",
        )

    now = timezone.now()
    open_invitations = Invitation.objects.select_for_update().filter(
        organisation=locked,
        email__iexact=email,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
    )
    for previous in open_invitations:
        if previous.expires_at > now:
            raise _field_error(
                "email",
                _(
                    "%(email)s already has an invitation that is open until %(date)s. "
                    "Withdraw it to send a new one."
                )
                % {
                    "email": email,
                    "date": dateformat.format(timezone.localtime(previous.expires_at), "j F Y"),
                },
                code="already_invited",
            )
        # An expired invitation would block the one-open-invitation rule; close it.
        previous.revoked_at = now
        previous.save(update_fields=["revoked_at"])

    invitation = Invitation(
        organisation=locked, email=email, role=role, invited_by=actor, created_at=now
    )
    invitation.full_clean()
    invitation.save()

    email_send(
        template="imh_organisations/email/invitation.txt",
        subject=_("You are invited to join %(organisation)s") % {"organisation": locked.name},
        to=[email],
        context={
            "organisation": locked,
            "invitation": invitation,
            "role": Membership.Role(invitation.role).phrase,
            "inviter_name": person_name(actor),
            "accept_url": site_url(
                reverse("imh_organisations:invitation_accept", args=[invitation.token])
            ),
        },
    )
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, user: AbstractBaseUser) -> Membership:
    """Accept an invitation: the person must have verified the address it was sent to."""
    invitation = (
        Invitation.objects.select_for_update()
        .select_related("organisation")
        .filter(token=token)
        .first()
        if token
        else None
    )
    problem = selectors.invitation_problem(invitation=invitation)
    if problem is not None or invitation is None:
        code, message = problem or ("unknown", _("This invitation link is not valid."))
        raise ValidationError(message, code=code)

    if not selectors.user_has_verified_email(user=user, email=invitation.email):
        raise ValidationError(
            _(
                "This invitation was sent to %(email)s. Log in with that email address, "
                "or add it to your account and verify it, to accept."
            )
            % {"email": invitation.email},
            code="wrong_user",
        )

    organisation = _lock_organisation(invitation.organisation)
    existing = (
        Membership.objects.select_for_update()
        .filter(user=user, organisation=organisation, status__in=Membership.CURRENT_STATUSES)
        .first()
    )
    if existing is not None and existing.status == Membership.Status.ACTIVE:
        raise ValidationError(
            _("You are already a member of %(organisation)s.")
            % {"organisation": organisation.name},
            code="already_member",
        )

    now = timezone.now()
    # A waiting request by join code is simply approved by the invitation.
    membership = existing or Membership(
        user=user,
        organisation=organisation,
        source=Membership.Source.INVITATION,
        requested_at=invitation.created_at,
    )
    membership.role = invitation.role
    membership.status = Membership.Status.ACTIVE
    membership.decided_at = now
    membership.decided_by = invitation.invited_by
    membership.full_clean()
    membership.save()
    membership_activated.send(sender=Membership, membership=membership)

    invitation.accepted_at = now
    invitation.accepted_by = user
    invitation.full_clean()
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return membership


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, actor: AbstractBaseUser) -> Invitation:
    """A manager withdraws an invitation so its link stops working."""
    organisation = _lock_organisation(invitation.organisation)
    _require_manager(organisation=organisation, actor=actor)
    locked = Invitation.objects.select_for_update().get(pk=invitation.pk, organisation=organisation)
    if locked.accepted_at is not None or locked.revoked_at is not None:
        raise ValidationError(
            _("The invitation to %(email)s is no longer open.") % {"email": locked.email},
            code="not_open",
        )
    locked.revoked_at = timezone.now()
    locked.save(update_fields=["revoked_at"])
    return locked


# Data rights.


@transaction.atomic
def organisation_data_erase_for_user(*, user: AbstractBaseUser) -> None:
    """For account erasure: end the person's current memberships and close invitations to them.

    The last-manager rule does not apply: a person's right to erasure outranks it.
    """
    now = timezone.now()
    Membership.objects.filter(user=user, status__in=Membership.CURRENT_STATUSES).update(
        status=Membership.Status.LEFT, ended_at=now, ended_by=user
    )
    emails = set(EmailAddress.objects.filter(user=user).values_list("email", flat=True))
    if user.email:
        emails.add(user.email)
    selectors.invitations_for_emails(emails=emails).filter(
        accepted_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=now)


# Live-session bookings that need a manager's approval. Courses keeps the places and the
# waiting list; organisations decides who may approve (an active manager of the trainee).


def _require_manager_of(*, member: AbstractBaseUser, actor: AbstractBaseUser) -> None:
    if not getattr(actor, "is_authenticated", False) or not selectors.user_manages_user(
        manager=actor, member=member
    ):
        raise PermissionDenied(_("Only a manager of this person's organisation can decide."))


def session_booking_approve(*, booking: Booking, actor: AbstractBaseUser) -> Booking:
    """Approve a trainee's place at a live session (their manager only)."""
    _require_manager_of(member=booking.user, actor=actor)
    return session_services.booking_approve(booking=booking, actor=actor)


def session_booking_decline(*, booking: Booking, actor: AbstractBaseUser) -> Booking:
    """Decline a trainee's booking (their manager only); the place goes to the waiting list."""
    _require_manager_of(member=booking.user, actor=actor)
    return session_services.booking_decline(booking=booking, actor=actor)


def session_booking_approval_request(*, booking: Booking) -> None:
    """Ask the trainee's managers, in each organisation the trainee belongs to, to decide."""
    trainee = booking.user
    session = booking.session
    for membership in selectors.memberships_for_user(
        user=trainee, statuses=[Membership.Status.ACTIVE]
    ):
        organisation = membership.organisation
        email_send(
            template="imh_organisations/email/session_booking_awaiting_approval.txt",
            subject=_("Approve a booking: %(session)s") % {"session": session.title},
            to=[
                email
                for email in selectors.manager_emails_for(organisation=organisation)
                if email != trainee.email
            ],
            context={
                "organisation": organisation,
                "person_name": person_name(trainee),
                "person_email": trainee.email,
                "session": session,
                "when": session_selectors.session_when_text(session=session),
                "approvals_url": _members_url(organisation) + "#session-bookings",
            },
        )


@transaction.atomic
def membership_set_supervisor(
    *, membership: Membership, is_supervisor: bool, actor: AbstractBaseUser
) -> Membership:
    """A manager names an active member as a supervisor (or stops naming them one).

    Supervisors may record observations of practice for the organisation's active members.
    """
    organisation, locked = _lock_membership(membership)
    _require_manager(organisation=organisation, actor=actor)
    if locked.status != Membership.Status.ACTIVE:
        raise ValidationError(
            _("You can only make an active member a supervisor."), code="not_active"
        )
    if locked.is_supervisor != is_supervisor:
        locked.is_supervisor = is_supervisor
        locked.full_clean()
        locked.save(update_fields=["is_supervisor"])
    return locked


# Teams and sites, and where a member is placed in them.


def _group_create(*, model, organisation: Organisation, actor: AbstractBaseUser, name: str):
    locked = _lock_organisation(organisation)
    _require_manager(organisation=locked, actor=actor)
    group = model(organisation=locked, name=" ".join((name or "").split()))
    group.full_clean()
    try:
        with transaction.atomic():
            group.save()
    except IntegrityError as exc:  # The same name was added at the same moment.
        raise _field_error(
            "name",
            _("%(organisation)s already has one called %(name)s.")
            % {"organisation": locked.name, "name": group.name},
            code="unique",
        ) from exc
    return group


def _group_delete(*, group, actor: AbstractBaseUser) -> None:
    locked = _lock_organisation(group.organisation)
    _require_manager(organisation=locked, actor=actor)
    # Memberships keep going: their team or site becomes empty (on_delete=SET_NULL).
    type(group).objects.filter(pk=group.pk, organisation=locked).delete()


@transaction.atomic
def team_create(*, organisation: Organisation, actor: AbstractBaseUser, name: str) -> Team:
    """A manager adds a team (names are unique within the organisation, ignoring case)."""
    return _group_create(model=Team, organisation=organisation, actor=actor, name=name)


@transaction.atomic
def site_create(*, organisation: Organisation, actor: AbstractBaseUser, name: str) -> Site:
    """A manager adds a site (names are unique within the organisation, ignoring case)."""
    return _group_create(model=Site, organisation=organisation, actor=actor, name=name)


@transaction.atomic
def team_delete(*, team: Team, actor: AbstractBaseUser) -> None:
    """A manager removes a team; its members stay members, with no team."""
    _group_delete(group=team, actor=actor)


@transaction.atomic
def site_delete(*, site: Site, actor: AbstractBaseUser) -> None:
    """A manager removes a site; its members stay members, with no site."""
    _group_delete(group=site, actor=actor)


@transaction.atomic
def membership_set_placement(
    *,
    membership: Membership,
    actor: AbstractBaseUser,
    team: Team | None,
    site: Site | None,
) -> Membership:
    """A manager puts an active member in a team and at a site of the same organisation."""
    organisation, locked = _lock_membership(membership)
    _require_manager(organisation=organisation, actor=actor)
    if locked.status != Membership.Status.ACTIVE:
        raise ValidationError(
            _("You can only place an active member in a team or site."), code="not_active"
        )
    locked.team = team
    locked.site = site
    locked.full_clean()  # Membership.clean refuses a team or site of another organisation.
    locked.save(update_fields=["team", "site"])
    return locked


@transaction.atomic
def membership_set_profile_sharing(
    *, membership: Membership, actor: AbstractBaseUser, shares: bool
) -> Membership:
    """The member agrees (or stops agreeing) that the organisation's managers may see their
    competency profile. Nobody else may decide this for them."""
    organisation, locked = _lock_membership(membership)
    if actor is None or getattr(actor, "pk", None) != locked.user_id:
        raise PermissionDenied(_("Only the member can choose whether to share their profile."))
    if locked.status != Membership.Status.ACTIVE:
        raise ValidationError(
            _("You are no longer a member of %(organisation)s.")
            % {"organisation": organisation.name},
            code="not_active",
        )
    if locked.shares_competency_profile != shares:
        locked.shares_competency_profile = shares
        locked.full_clean()
        locked.save(update_fields=["shares_competency_profile"])
    return locked
