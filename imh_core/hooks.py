"""The one way the apps extend each other and a host site extends them: Wagtail hooks.

A lower app never imports a higher one. When it needs something only a higher app (or the
host site) knows, it asks a named hook, and the higher app answers from its
``wagtail_hooks.py``::

    from wagtail import hooks

    @hooks.register(IMH_USER_DATA_ERASERS)
    def courses_eraser():
        return "courses", user_data_erase

Every hook name the apps use is a constant in this module with what its functions take and
return, so the extension points are listed in one place. A host site answers any of them the
same way, from a ``wagtail_hooks.py`` in one of its own apps; ``order`` (as in
``@hooks.register(NAME, order=-1)``) puts its functions before the apps' ones where the
first answer wins. Functions are called in ``order``, then in the order of
``INSTALLED_APPS``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from wagtail import hooks


def hook_functions(name: str) -> list[Callable[..., Any]]:
    """The functions registered for a hook, in registration order."""
    return list(hooks.get_hooks(name))


def hook_results(name: str, *args: Any, **kwargs: Any) -> Iterator[Any]:
    """Call every function registered for a hook and yield what each returns."""
    for function in hook_functions(name):
        yield function(*args, **kwargs)


# The task queue and the scheduler (imh_core).

IMH_SCHEDULES = "imh_schedules"
"""Periodic jobs the scheduler queues (``manage.py run_scheduler``). Functions take nothing
and return an iterable of ``imh_core.scheduler.Schedule``: a name unique across the site, the
dotted path of a task taking no arguments, and when it is due (``at`` a local time, on a
``weekday``, or ``every`` so many minutes). A host site adds its own jobs the same way."""

IMH_RECOVERABLE_TASKS = "imh_recoverable_tasks"
"""Tasks that may run again when their worker died half way (see ``imh_core.task_recovery``).
Functions take nothing and return an iterable of ``imh_core.task_recovery.Recoverable``: the
task's dotted path and, for a task a record waits on, the dotted path of a function
``outstanding(before=datetime) -> list[id]`` naming the records still waiting. Tasks not
listed (emails above all) are marked failed and never run twice."""


# Pages (imh_core).

IMH_SITE_IDENTITY = "imh_site_identity"
"""Who the site is, as the apps' pages name it (``imh_site`` in templates). Functions take
the ``request`` and return a dict with ``name`` and ``support_email``, either left out or
empty when they have nothing to say. For each, the first answer that gives it wins; without
one, the name is the Wagtail site's and the address ``IMH_SUPPORT_EMAIL``."""


IMH_PAGE_LINKS = "imh_page_links"
"""Links a higher app (or the host site) adds to a lower app's page, which may not name the
higher app's URLs. Functions take the ``place`` on the page, the ``request`` and the place's
objects as keyword arguments, and return a list of dicts with ``label`` and ``url`` (and an
optional ``description``); an empty list adds nothing. Read them with ``page_links``. The
places: ``"accounts:dashboard"`` (no objects); ``"organisations:membership"``
(``membership``, one of the person's own, active); ``"organisations:manage"``
(``organisation``, one the person manages)."""


def page_links(place: str, request: Any, **objects: Any) -> list[dict[str, str]]:
    """Every link the ``IMH_PAGE_LINKS`` functions add at ``place``, in hook order."""
    return [
        link
        for links in hook_results(IMH_PAGE_LINKS, place, request, **objects)
        for link in links or ()
    ]


# The admin menu.

IMH_LEARNING_MENU_ITEMS = "imh_learning_menu_items"
"""Items in the one "Learning" menu of the Wagtail admin (``imh_core.wagtail_hooks``).
Functions take nothing and return a ``wagtail.admin.menu.MenuItem`` (a ``SubmenuMenuItem``
for a group), exactly like Wagtail's ``register_admin_menu_item``. A viewset or
``ViewSetGroup`` joins the menu by setting ``menu_hook = IMH_LEARNING_MENU_ITEMS``. Each item
decides who sees it (``is_shown``); the menu hides when it has nothing to show."""

IMH_COMPETENCIES_MENU_ITEMS = "imh_competencies_menu_items"
"""More items in the "Competencies" group of the Learning menu, beside the frameworks: the
same shape as ``IMH_LEARNING_MENU_ITEMS``."""


# People's data rights (imh_accounts).

IMH_USER_DATA_EXPORTERS = "imh_user_data_exporters"
"""What each app adds to a person's data export. Functions take nothing and return
``(section, exporter)``; ``exporter(user)`` returns JSON-safe data, shown under ``section``.
Sections are exported in name order; a later function naming the same section replaces an
earlier one."""

IMH_USER_DATA_ERASERS = "imh_user_data_erasers"
"""What each app removes or pseudonymises when a person deletes their account. Functions take
nothing and return ``(name, eraser)``; ``eraser(user)`` runs inside the deletion's
transaction, in name order, and anything it raises rolls the whole deletion back. A later
function giving the same name replaces an earlier one."""


# Assessments.

IMH_ATTEMPT_POLICIES = "imh_attempt_policies"
"""Who may attempt the activities placed on pages. Functions take ``(user, page_ids)`` (a
list of page ids) and return the set of those pages whose activities ``user`` may attempt
(courses answers for enrolled trainees). A page is open to the user when any function
allows it; with no function, nobody may attempt anything."""

IMH_OBSERVER_POLICIES = "imh_observer_policies"
"""Who, besides educators, may record an observation of someone's practice. Functions take
keyword arguments ``observer`` and ``trainee`` and return ``True`` to allow it (organisations
allows a supervisor named in the trainee's organisation). Any ``True`` allows it."""

IMH_OBSERVABLE_TRAINEES = "imh_observable_trainees"
"""The people an observer may observe, so the recording page can offer them by name.
Functions take the keyword argument ``observer`` and return an iterable of users; every
answer is listed, each person once."""


# Certificates.

IMH_CERTIFICATE_MANAGER_POLICIES = "imh_certificate_manager_policies"
"""Who manages a certificate holder (and so may download their certificates). Functions take
``(user, holder)`` and return ``True`` when ``user`` manages ``holder``; any ``True`` is
enough. With no function nobody manages anybody."""

IMH_CERTIFICATE_MANAGERS = "imh_certificate_managers"
"""The people who manage a certificate holder, told when a certificate is about to expire.
Functions take ``holder`` and return an iterable of users; every answer counts, each person
once."""

IMH_CERTIFICATE_IS_MANAGER_POLICIES = "imh_certificate_is_manager_policies"
"""Who manages anyone at all, and so may check many certificate codes at once. Functions take
``user`` and return ``True`` when the user manages at least one person; any ``True`` is
enough (superusers always may)."""

IMH_CERTIFICATE_ISSUER = "imh_certificate_issuer"
"""Who issues certificates that no certificate template names: the host site's identity.
Functions take nothing and return ``{"name": str, "logo": image or None}``, or an empty dict
when they have nothing to say. The first non-empty answer wins (register with a lower
``order`` to go first); without one, the name is ``IMH_CERTIFICATE_ISSUER_DEFAULT``."""

IMH_PORTFOLIO_REFLECTIONS = "imh_portfolio_reflections"
"""Reflections shown in a person's CPD portfolio. Functions take ``user`` and return a list of
dicts with ``title``, ``prompt``, ``text``, ``updated_at`` and ``url``; every answer is
shown, most recently edited first."""

IMH_PORTFOLIO_ACTIVITIES = "imh_portfolio_activities"
"""More CPD activities in a person's portfolio (reflective supervision, for one). Functions
take ``user`` and return a list of dicts with ``title``, ``occurred_on`` (a date), ``hours``
(a ``Decimal``), ``participatory`` (bool) and ``url``, and optionally ``method`` and
``provider``. Each counts towards the portfolio's hours and is a row of its CPD log."""
