"""Reading generated PDFs in tests with poppler-utils (pdftotext, pdffonts, pdfinfo, pdfimages)."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

TOOLS = ("pdftotext", "pdffonts", "pdfinfo", "pdfimages")
MISSING = [tool for tool in TOOLS if shutil.which(tool) is None]

requires_poppler = pytest.mark.skipif(
    bool(MISSING),
    reason=f"poppler-utils is not installed ({', '.join(MISSING)} missing): run `make system-deps`",
)


def _run(tool: str, pdf: bytes, *args: str) -> str:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "document.pdf"
        path.write_bytes(pdf)
        command = [tool, *args, str(path)] + (["-"] if tool == "pdftotext" else [])
        # Fixed poppler commands on a file this module wrote: no untrusted input.
        return subprocess.run(command, check=True, capture_output=True, text=True).stdout  # noqa: S603


def pdf_text(pdf: bytes) -> str:
    """The text of a PDF with its whitespace collapsed, so wrapped lines still match."""
    return " ".join(_run("pdftotext", pdf).split())


def pdf_info(pdf: bytes) -> dict[str, str]:
    info = {}
    for line in _run("pdfinfo", pdf).splitlines():
        key, _, value = line.partition(":")
        info[key.strip()] = value.strip()
    return info


def pdf_fonts(pdf: bytes) -> list[dict[str, str]]:
    """One row per font: name, and whether it is embedded ("emb" column)."""
    lines = _run("pdffonts", pdf).splitlines()[2:]
    fonts = []
    for line in lines:
        parts = line.split()
        # name type... encoding emb sub uni object-id generation
        fonts.append({"name": parts[0], "emb": parts[-5], "sub": parts[-4]})
    return fonts


def pdf_image_count(pdf: bytes) -> int:
    return len(_run("pdfimages", pdf, "-list").splitlines()[2:])
