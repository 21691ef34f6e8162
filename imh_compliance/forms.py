"""Forms of the compliance pages."""

from __future__ import annotations

from django import forms
from django.http import QueryDict

from imh_accounts.choices import ProfessionalRole
from imh_compliance.selectors import NO_ROLE, SORTS, Column, MatrixFilters
from imh_compliance.status import Status
from imh_organisations.models import Organisation, Site, Team


class DashboardFilterForm(forms.Form):
    """The dashboard's filters, search and sort, read from the query string.

    Unknown values (a team of another organisation, a made-up status) are errors shown in the
    error summary; the matrix is then shown without that filter, so nothing is hidden silently.
    """

    q = forms.CharField(label="Search by name or email", required=False, max_length=100)
    role = forms.ChoiceField(
        label="Role",
        required=False,
        error_messages={"invalid_choice": "Choose a role from the list."},
    )
    team = forms.ChoiceField(
        label="Team",
        required=False,
        error_messages={"invalid_choice": "Choose a team from the list."},
    )
    site = forms.ChoiceField(
        label="Site",
        required=False,
        error_messages={"invalid_choice": "Choose a site from the list."},
    )
    status = forms.ChoiceField(
        label="Status",
        required=False,
        error_messages={"invalid_choice": "Choose a status from the list."},
    )
    column = forms.ChoiceField(
        label="In",
        required=False,
        error_messages={"invalid_choice": "Choose a course or pathway from the list."},
    )
    sort = forms.ChoiceField(
        label="Sort by",
        required=False,
        error_messages={"invalid_choice": "Choose how to sort from the list."},
    )
    order = forms.ChoiceField(
        label="Order",
        required=False,
        choices=[("asc", "Ascending"), ("desc", "Descending")],
        error_messages={"invalid_choice": "Choose ascending or descending."},
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
            ("", "All roles"),
            *ProfessionalRole.choices,
            (NO_ROLE, "Not recorded"),
        ]
        self.fields["team"].choices = [("", "All teams")] + [
            (str(pk), name)
            for pk, name in Team.objects.filter(organisation=organisation).values_list("pk", "name")
        ]
        self.fields["site"].choices = [("", "All sites")] + [
            (str(pk), name)
            for pk, name in Site.objects.filter(organisation=organisation).values_list("pk", "name")
        ]
        self.fields["status"].choices = [("", "Any status")] + [
            (status.value, status.label) for status in Status if status != Status.NOT_REQUIRED
        ]
        self.fields["column"].choices = [("", "Any course or pathway")] + [
            (column.key, column.title) for column in columns
        ]
        self.fields["sort"].choices = [
            ("name", "Name"),
            ("role", "Role"),
            ("team", "Team"),
            ("site", "Site"),
        ] + [(column.key, f"Status in {column.title}") for column in columns]

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
