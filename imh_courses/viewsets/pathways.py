"""Pathways are editorial: educators manage them as snippets."""

from wagtail.snippets.views.snippets import SnippetViewSet

from imh_courses.models import Pathway


class PathwayViewSet(SnippetViewSet):
    model = Pathway
    icon = "list-ol"
    menu_label = "Pathways"
    menu_order = 210
    add_to_admin_menu = True
    list_display = ["title", "role", "is_active"]
    list_filter = ["role", "is_active"]
    search_fields = ["title", "summary"]
