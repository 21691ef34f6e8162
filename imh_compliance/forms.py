"""Forms of the compliance pages."""

from __future__ import annotations

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from imh_accounts.choices import ProfessionalRole
from imh_compliance.selectors.columns import Column
from imh_compliance.selectors.matrix import NO_ROLE, SORTS, MatrixFilters
from imh_compliance.status import Status
from imh_organisations.models import Organisation, Site, Team


class DashboardFilterForm(forms.Form):
    """The dashboard's filters, search and sort, read from the query string.

    Unknown values (a team of another organisation, a made-up status) are errors shown in the
    error summary; the matrix is then shown without that filter, so nothing is hidden silently.
    """

    q = forms.CharField(label=_("Search by name or email"), required=False, max_length=100)
    role = forms.ChoiceField(
        label=_("Role"),
        required=False,
        error_messages={"invalid_choice": _("Choose a role from the list.")},
    )
    team = forms.ChoiceField(
        label=_("Team"),
        required=False,
        error_messages={"invalid_choice": _("Choose a team from the list.")},
    )
    site = forms.ChoiceField(
        label=_("Site"),
        required=False,
        error_messages={"invalid_choice": _("Choose a site from the list.")},
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        error_messages={"invalid_choice": _("Choose a status from the list.")},
    )
    column = forms.ChoiceField(
        label=_("In"),
        required=False,
        error_messages={"invalid_choice": _("Choose a course or pathway from the list.")},
    )
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        error_messages={"invalid_choice": _("Choose how to sort from the list.")},
    )
    order = forms.ChoiceField(
        label=_("Order"),
        required=False,
        choices=[("asc", _("Ascending")), ("desc", _("Descending"))],
        error_messages={"invalid_choice": _("Choose ascending or descending.")},
    )

    def __init__(
        self,
        data: QueryDict | dict | None = None,
        *,
        organisation: Organisation,
        columns: list[Column],
        **kwargs,
    ) -> None:
        super().__init__(data, **kwargs)
        self.fields["role"].choices = [
            ("", gettext("All roles")),
            *ProfessionalRole.choices,
            (NO_ROLE, gettext("Not recorded")),
        ]
        self.fields["team"].choices = [("", gettext("All teams"))] + [
            (str(pk), name)
            for pk, name in Team.objects.filter(organisation=organisation).values_list("pk", "name")
        ]
        self.fields["site"].choices = [("", gettext("All sites"))] + [
            (str(pk), name)
            for pk, name in Site.objects.filter(organisation=organisation).values_list("pk", "name")
        ]
        self.fields["status"].choices = [("", gettext("Any status"))] + [
            (status.value, status.label) for status in Status if status != Status.NOT_REQUIRED
        ]
        self.fields["column"].choices = [("", gettext("Any course or pathway"))] + [
            (column.key, column.title) for column in columns
        ]
        self.fields["sort"].choices = [
            ("name", gettext("Name")),
            ("role", gettext("Role")),
            ("team", gettext("Team")),
            ("site", gettext("Site")),
        ] + [
            (column.key, gettext("Status in %(title)s") % {"title": column.title})
            for column in columns
        ]

    def filters(self) -> MatrixFilters:
        """The valid filters; any field with an error is left out."""
        if self.is_bound and not hasattr(self, "cleaned_data"):
            self.is_valid()
        data = getattr(self, "cleaned_data", {})

        def value(name: str) -> str:
            return "" if name in self.errors else (data.get(name) or "")

        sort = value("sort") or "name"
        return MatrixFilters(
            q=value("q").strip(),
            role=value("role"),
            team_id=int(value("team")) if value("team") else None,
            site_id=int(value("site")) if value("site") else None,
            status=value("status"),
            column=value("column"),
            sort=sort if sort in SORTS or ":" in sort else "name",
            descending=value("order") == "desc",
        )

    def query_string(self) -> str:
        """The valid filters as a query string, for pagination, sorting and export links."""
        filters = self.filters()
        params = QueryDict(mutable=True)
        for name, field_value in (
            ("q", filters.q),
            ("role", filters.role),
            ("team", filters.team_id),
            ("site", filters.site_id),
            ("status", filters.status),
            ("column", filters.column),
            ("sort", "" if filters.sort == "name" else filters.sort),
            ("order", "desc" if filters.descending else ""),
        ):
            if field_value not in ("", None):
                params[name] = str(field_value)
        return params.urlencode()


def dashboard_filters(
    query: QueryDict, *, organisation: Organisation, columns: list[Column]
) -> tuple[DashboardFilterForm, MatrixFilters]:
    """Read the filters from a query string: the bound form (for errors) and the filters."""
    form = DashboardFilterForm(query, organisation=organisation, columns=columns)
    form.is_valid()
    return form, form.filters()
