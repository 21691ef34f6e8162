"""The chooser of reliability tests that lesson pages place (``imh_reliability.blocks``).

The assessments app places reliability tests as lesson activities alongside quizzes and H5P
activities, so it registers the chooser the lesson block uses.
"""

from wagtail import hooks

from imh_reliability.blocks import reliability_test_chooser_viewset


@hooks.register("register_admin_viewset")
def register_reliability_test_chooser_viewset():
    return reliability_test_chooser_viewset
