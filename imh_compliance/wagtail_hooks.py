"""Puts the compliance admin into Wagtail: the "Compliance" menu group."""

from wagtail import hooks

from imh_compliance.viewsets import ComplianceViewSetGroup


@hooks.register("register_admin_viewset")
def register_compliance_viewsets() -> ComplianceViewSetGroup:
    return ComplianceViewSetGroup()
