"""H5P activities get a pass mark in whole percent, as quizzes have, in place of a scaled score.

Existing thresholds are carried over: 0.8 becomes 80. A threshold finer than a whole percent
(0.875) is rounded up (88), so that no activity becomes easier to pass than it was.
"""

from decimal import ROUND_CEILING, Decimal

import django.core.validators
from django.db import migrations, models


def thresholds_to_percentages(apps, schema_editor):
    H5PActivity = apps.get_model("assessments", "H5PActivity")
    thresholds = H5PActivity.objects.values_list("pass_threshold", flat=True).distinct()
    for threshold in list(thresholds):
        percent = (Decimal(threshold) * 100).to_integral_value(rounding=ROUND_CEILING)
        H5PActivity.objects.filter(pass_threshold=threshold).update(
            pass_mark=min(max(int(percent), 0), 100)
        )


def percentages_to_thresholds(apps, schema_editor):
    H5PActivity = apps.get_model("assessments", "H5PActivity")
    marks = H5PActivity.objects.values_list("pass_mark", flat=True).distinct()
    for mark in list(marks):
        H5PActivity.objects.filter(pass_mark=mark).update(pass_threshold=Decimal(mark) / 100)


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0005_educators_h5p_permissions"),
    ]

    operations = [
        migrations.AddField(
            model_name="h5pactivity",
            name="pass_mark",
            field=models.PositiveSmallIntegerField(
                default=100,
                help_text="The percentage of the activity's score needed to pass, from 0 to 100.",
                validators=[
                    django.core.validators.MinValueValidator(
                        0, "Enter the pass mark as a whole number from 0 to 100."
                    ),
                    django.core.validators.MaxValueValidator(
                        100, "Enter the pass mark as a whole number from 0 to 100."
                    ),
                ],
            ),
        ),
        migrations.RunPython(thresholds_to_percentages, percentages_to_thresholds),
        migrations.RemoveConstraint(
            model_name="h5pactivity",
            name="assessments_h5pactivity_threshold_range",
        ),
        migrations.RemoveField(
            model_name="h5pactivity",
            name="pass_threshold",
        ),
        migrations.AddConstraint(
            model_name="h5pactivity",
            constraint=models.CheckConstraint(
                condition=models.Q(("pass_mark__gte", 0), ("pass_mark__lte", 100)),
                name="assessments_h5pactivity_pass_mark_range",
            ),
        ),
    ]
