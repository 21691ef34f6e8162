"""Certificate PDF render time against a bare WeasyPrint render of the same HTML.

The certificate render is the whole path the task takes: build the HTML (template lookup,
QR code), render it with the safe URL fetcher and write a tagged PDF/UA-1 file. The baseline
is ``weasyprint.HTML(string=html).write_pdf()`` on the same HTML with WeasyPrint's own
fetcher, reading the same stylesheet and fonts from the app's static folder by ``file:`` URL.
Target: at most 1.2 times the baseline. Nothing is stored: the rows made for the run are
rolled back.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

import weasyprint
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from weasyprint.urls import path2url

import imh_certificates
from bench.harness import Result, compare, measure
from imh_certificates import rendering
from imh_certificates.models import Certificate, CertificateTemplate

RUNS = 20
TARGET = "<= 1.2x bare WeasyPrint"
STATIC_DIR = Path(imh_certificates.__file__).resolve().parent / "static"


def _certificate() -> Certificate:
    holder = get_user_model().objects.create(username="bench-certificate-holder")
    template = CertificateTemplate.objects.filter(is_default=True).first()
    if template is None:
        template = CertificateTemplate.objects.create(
            name="Benchmark template",
            is_default=True,
            issuer_name="IMH Learning",
            signatory_name="Dr Sam Carter",
            signatory_role="Clinical lead",
        )
    today = timezone.localdate()
    return Certificate.objects.create(
        holder=holder,
        holder_name="Alex Benchmark",
        source_type="bench.completion",
        source_id=1,
        title="Understanding infant mental health: the first 1001 days",
        cpd_hours=Decimal("6.5"),
        completed_on=today,
        expires_on=today + datetime.timedelta(days=3 * 365),
        competencies=[
            {
                "framework": "IMH framework",
                "code": f"IMH-{n}.1",
                "name": f"Competency {n}",
                "level": 2,
                "level_label": "Practitioner",
            }
            for n in range(1, 5)
        ],
        sessions=[{"title": "Live session: reflective practice", "date": today.isoformat()}],
        issuer_name=template.issuer_name,
        signatory_name=template.signatory_name,
        signatory_role=template.signatory_role,
        template=template,
    )


def certificate_render() -> list[Result]:
    with transaction.atomic():
        certificate = _certificate()
        html = rendering.certificate_html(certificate=certificate)
        base_url = path2url(STATIC_DIR)

        def bare() -> bytes:
            return weasyprint.HTML(string=html, base_url=base_url).write_pdf()

        def ours() -> bytes:
            return rendering.certificate_pdf(certificate=certificate)

        baseline = measure("certificate PDF: bare WeasyPrint, same HTML", bare, runs=RUNS, warmup=3)
        full = measure(
            "certificate PDF: HTML + safe fetcher + PDF/UA",
            ours,
            runs=RUNS,
            warmup=3,
            target=TARGET,
        )
        transaction.set_rollback(True)
    return [baseline, compare(full, baseline)]


# Each function returns rows for the table; add further certificate benchmarks here.
BENCHMARKS = [certificate_render]


def run() -> list[Result]:
    return [result for benchmark in BENCHMARKS for result in benchmark()]
