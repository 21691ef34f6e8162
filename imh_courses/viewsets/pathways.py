"""Pathways are editorial: educators manage them as snippets."""

from django.utils.translation import gettext_lazy as _
from wagtail.snippets.views.snippets import SnippetViewSet

from imh_core.hooks import IMH_LEARNING_MENU_ITEMS
from imh_courses.models import Pathway


class PathwayViewSet(SnippetViewSet):
    model = Pathway
    icon = "list-ol"
    menu_label = _("Pathways")
    menu_order = 210
    menu_hook = IMH_LEARNING_MENU_ITEMS
    list_display = ["title", "role", "is_active"]
    list_filter = ["role", "is_active"]
    search_fields = ["title", "summary"]
