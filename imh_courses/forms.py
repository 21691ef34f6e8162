"""Form pieces for the courses admin."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext

from imh_competencies.models import Competency


def competency_label(competency: Competency) -> str:
    return f"{competency.framework} \N{EN DASH} {competency.code} {competency.short_name}"


class CompetencySelect(forms.Select):
    """A competency picker whose options read "Framework, en dash, code and short name".

    The model field's own choices say only "code short name", which is ambiguous once a site
    holds several frameworks. The options are read in one query each time it renders.
    """

    def optgroups(self, name, value, attrs=None):
        competencies = Competency.objects.select_related("framework").order_by(
            "framework__name", "framework__version", "area__sort_order", "sort_order", "code"
        )
        self.choices = [("", gettext("Choose a competency"))] + [
            (competency.pk, competency_label(competency)) for competency in competencies
        ]
        return super().optgroups(name, value, attrs)
