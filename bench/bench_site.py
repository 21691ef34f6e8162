"""The site's home page through the full middleware stack and NHS.UK layout."""

from __future__ import annotations

from django.test import Client

from bench.harness import Result, measure


def run() -> list[Result]:
    client = Client()
    anonymous = measure("home page, anonymous", lambda: client.get("/"), target="reference")
    return [anonymous]
