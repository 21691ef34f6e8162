"""Managers' compliance pages and members' view of their own record, mounted at /compliance/.

Every manager page finds the organisation through ``organisation_for_manager`` and every
member, rule, report or event only within it, so an id that belongs elsewhere is a 404.
"""

from django.urls import path

from imh_compliance.views import dashboard, exports, records, rules

app_name = "imh_compliance"

urlpatterns = [
    path("", dashboard.home, name="home"),
    # Members: what their managers see.
    path("my-record/", records.my_records, name="my_records"),
    path("my-record/<int:membership_pk>/", records.my_record, name="my_record"),
    path(
        "my-record/<int:membership_pk>/sharing/",
        records.my_record_sharing,
        name="my_record_sharing",
    ),
    # Managers.
    path("<int:pk>/", dashboard.dashboard, name="dashboard"),
    path("<int:pk>/assign/", dashboard.assign, name="assign"),
    path("<int:pk>/remind/", dashboard.remind, name="remind"),
    path("<int:pk>/members/<int:membership_pk>/", records.member, name="member"),
    path(
        "<int:pk>/members/<int:membership_pk>/placement/",
        records.member_placement,
        name="member_placement",
    ),
    path("<int:pk>/teams-and-sites/", records.structure, name="structure"),
    path("<int:pk>/access-log/", records.access_log, name="access_log"),
    path("<int:pk>/rules/", rules.rule_list, name="rules"),
    path("<int:pk>/rules/add/", rules.rule_add, name="rule_add"),
    path("<int:pk>/rules/<int:rule_pk>/", rules.rule_edit, name="rule_edit"),
    path("<int:pk>/rules/<int:rule_pk>/deactivate/", rules.rule_deactivate, name="rule_deactivate"),
    path("<int:pk>/export.csv", exports.export_csv, name="export_csv"),
    path("<int:pk>/export.xlsx", exports.export_xlsx, name="export_xlsx"),
    path("<int:pk>/reports/", exports.report_list, name="reports"),
    path("<int:pk>/reports/<int:report_pk>/", exports.report_detail, name="report"),
    path(
        "<int:pk>/reports/<int:report_pk>/download/",
        exports.report_download,
        name="report_download",
    ),
]
