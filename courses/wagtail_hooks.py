"""Register the courses admin views (defined in courses/viewsets/)."""

from wagtail import hooks
from wagtail.snippets.models import register_snippet

from courses.viewsets import learning, sessions
from courses.viewsets.pathways import PathwayViewSet

register_snippet(PathwayViewSet)


@hooks.register("register_admin_viewset")
def register_viewsets():
    return [*learning.VIEWSETS, *sessions.VIEWSETS]
