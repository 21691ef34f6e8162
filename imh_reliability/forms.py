"""Forms for the trainee pages: rating one clip, item by item."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from imh_reliability.models import ScaleItem


class ClipRatingForm(forms.Form):
    """One radio group per item of the scale, named ``item_<id>``.

    Items may be left blank while saving progress; submitting the attempt checks that every
    item of every clip is rated.
    """

    def __init__(self, *args, items: list[ScaleItem], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.items = items
        for item in items:
            self.fields[f"item_{item.pk}"] = forms.TypedChoiceField(
                label=item.name,
                choices=[(point.value, point.label) for point in item.points.all()],
                coerce=int,
                required=False,
                widget=forms.RadioSelect,
                error_messages={"invalid_choice": _("Choose one of the points shown.")},
            )

    def values(self) -> dict[int, int]:
        """The ratings given: item id -> point value (blank items left out)."""
        return {
            item.pk: self.cleaned_data[f"item_{item.pk}"]
            for item in self.items
            if self.cleaned_data.get(f"item_{item.pk}") not in (None, "")
        }

    def groups(self) -> list[dict]:
        """Each item with its bound field and points, for the template."""
        return [
            {"item": item, "field": self[f"item_{item.pk}"], "points": list(item.points.all())}
            for item in self.items
        ]
