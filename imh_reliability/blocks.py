"""The reliability test block for lesson bodies: a card linking to the test, with the
person's standing on it.

Like the quiz and H5P blocks of ``imh_assessments``, the block declares ``activity_type`` and
``activity_id(value)`` and has a ``required`` field, so the assessments app keeps a placement
for it on publish and a required test gates completing the lesson until it is passed (and
its result has not expired). The test is chosen with a searchable chooser,
``reliability_test_chooser_viewset`` (registered by the assessments app, which places it).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.admin.viewsets.chooser import ChooserViewSet


class ReliabilityTestChooserViewSet(ChooserViewSet):
    """A chooser of reliability tests for lesson blocks; not the default widget elsewhere."""

    model = "imh_reliability.ReliabilityTest"
    name = "reliability_test_chooser"
    url_prefix = "reliability/choose-test"
    icon = "view"
    choose_one_text = _("Choose a reliability test")
    choose_another_text = _("Choose another reliability test")
    edit_item_text = _("Edit this reliability test")
    register_widget = False
    per_page = 20


reliability_test_chooser_viewset = ReliabilityTestChooserViewSet()

ReliabilityTestChooserBlock = reliability_test_chooser_viewset.get_block_class(
    name="ReliabilityTestChooserBlock", module_path="imh_reliability.blocks"
)


class ReliabilityTestBlock(blocks.StructBlock):
    """A reliability test placed in a lesson. A required test must be passed (and the pass
    still current) to complete the lesson."""

    test = ReliabilityTestChooserBlock()
    required = blocks.BooleanBlock(
        required=False,
        default=True,
        help_text=_("Trainees must hold a current pass in this test to complete the lesson."),
    )

    activity_type = "reliability"

    class Meta:
        icon = "view"
        label = _("Observation reliability test")
        template = "imh_reliability/blocks/reliability_test.html"
        description = _("A reliability test: trainees rate video clips against a scale")
        preview_value = {"test": None, "required": True}

    def get_preview_value(self):
        from imh_reliability.models import ReliabilityTest

        return self.normalize(
            {"test": ReliabilityTest.objects.order_by("pk").first(), "required": True}
        )

    def activity_id(self, value) -> int | None:
        test = value.get("test") if value else None
        return test.pk if test is not None else None

    def get_context(self, value, parent_context: dict[str, Any] | None = None):
        from imh_reliability.standing import standing_for

        context = super().get_context(value, parent_context=parent_context)
        test = value.get("test")
        request = context.get("request")
        context["test"] = test
        context["standing"] = None
        context["has_synthetic"] = False
        if test is None:
            return context
        context["scale"] = test.scale
        context["clip_count"] = test.clips.count()
        context["has_synthetic"] = test.clips.filter(is_synthetic=True).exists()
        context["standing"] = standing_for(user=getattr(request, "user", None), test=test)
        return context
