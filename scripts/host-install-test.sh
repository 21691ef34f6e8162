#!/usr/bin/env bash
# Install IMH Learning into a new `wagtail start` site by following docs/install.md word for
# word, then use the site over HTTP as its people would. Run by `make host-test` and CI; the
# steps are in scripts/host_install_test.py. Needs network access to the package index.
#
#   scripts/host-install-test.sh                  # builds the wheel from this checkout
#   HOST_TEST_KEEP=1 scripts/host-install-test.sh # keep the site, its logs and pages after
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${VENV:-.venv}/bin/python
[[ -x $PY ]] || PY=${PYTHON:-python3}
# The wheel carries the H5P player, copied from npm's install at build time.
[[ -f node_modules/h5p-standalone/dist/main.bundle.js ]] || npm ci --ignore-scripts --no-audit --no-fund
exec "$PY" scripts/host_install_test.py
