"""The H5P block for lesson bodies: plays an activity in a sandboxed frame and records results.

See ``imh_assessments.views.h5p`` for why the player runs in a sandbox and how it reports.
"""

from __future__ import annotations

import json
from typing import Any

from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.snippets.blocks import SnippetChooserBlock


class H5PBlock(blocks.StructBlock):
    """An H5P activity placed in a lesson. Required activities must be passed to finish."""

    activity = SnippetChooserBlock("imh_assessments.H5PActivity")
    required = blocks.BooleanBlock(
        required=False,
        default=True,
        help_text=_("Trainees must pass this activity to complete the lesson."),
    )

    activity_type = "h5p"

    class Meta:
        icon = "media"
        label = _("Interactive activity (H5P)")
        template = "imh_assessments/blocks/h5p.html"
        description = _("An H5P activity from the library, played in the lesson and scored")
        preview_value = {"activity": None, "required": True}

    def get_preview_value(self):
        from imh_assessments.models import H5PActivity

        return self.normalize(
            {"activity": H5PActivity.objects.order_by("pk").first(), "required": True}
        )

    def activity_id(self, value) -> int | None:
        activity = value.get("activity") if value else None
        return activity.pk if activity is not None else None

    def get_context(self, value, parent_context: dict[str, Any] | None = None):
        from imh_assessments.models import ActivityResult
        from imh_assessments.views.h5p import embed_url
        from imh_assessments.xapi.identifiers import activity_iri, learner_agent

        context = super().get_context(value, parent_context=parent_context)
        activity = value.get("activity")
        request = context.get("request")
        user = getattr(request, "user", None)
        context["activity"] = activity
        if activity is None or request is None or not getattr(user, "is_authenticated", False):
            return context
        page = context.get("page")
        origin = request.build_absolute_uri("/").rstrip("/")
        context["embed_src"] = embed_url(activity=activity, page_id=getattr(page, "pk", None))
        context["activity_iri"] = activity_iri(activity=activity, base_url=origin)
        context["agent_json"] = json.dumps(learner_agent(user=user))
        context["statements_url"] = reverse("xapi:statements")
        context["state_url"] = reverse("xapi:activity_state")
        context["result"] = (
            ActivityResult.objects.filter(user=user, activity=activity)
            .only("score", "passed", "attempts")
            .first()
        )
        # host.js sends it with each statement (the CSRF cookie is HttpOnly).
        context.setdefault("csrf_token", get_token(request))
        return context
