"""Packaging hook: puts the H5P player (an npm package) into the wheel at build time.

Everything else about the package is in pyproject.toml. The player's files are never
committed: `npm ci` installs them into node_modules/, and building a wheel copies them into
the imh_assessments package, where the apps' templates expect them.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
PLAYER_SOURCE = ROOT / "node_modules" / "h5p-standalone" / "dist"
# Where the templates look for it: {% static "imh_assessments/h5p-standalone/..." %}.
PLAYER_TARGET = Path("imh_assessments", "static", "imh_assessments", "h5p-standalone")
# Files the player cannot start without; a partial npm install must not make a wheel.
PLAYER_REQUIRED = ("main.bundle.js", "frame.bundle.js", "styles/h5p.css")


class BuildWithPlayer(build_py):
    """build_py that also copies h5p-standalone's dist/ into the built package."""

    def run(self) -> None:
        super().run()
        # An editable install serves the player from node_modules through the reference
        # site's STATICFILES_DIRS, so only real builds need the copy.
        if getattr(self, "editable_mode", False):
            return
        missing = [name for name in PLAYER_REQUIRED if not (PLAYER_SOURCE / name).is_file()]
        if missing:
            raise SystemExit(
                "Cannot build the package: the H5P player is missing from "
                f"{PLAYER_SOURCE} ({', '.join(missing)}). Run `npm ci --ignore-scripts` "
                "(or `make npm-deps`) first."
            )
        target = Path(self.build_lib) / PLAYER_TARGET
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(PLAYER_SOURCE, target)


setup(cmdclass={"build_py": BuildWithPlayer})
