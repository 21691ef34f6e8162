#!/usr/bin/env bash
# A second virtual environment on Python 3.12+ with Django 6, to keep the apps working on
# the next Django as well as on 5.2 LTS. Prints nothing and exits 3 when no such Python exists.
set -euo pipefail
VENV=${1:-.venv-django6}

find_python() {
  local candidate version
  for candidate in "${DJANGO6_PYTHON:-}" python3.14 python3.13 python3.12; do
    [[ -n $candidate ]] || continue
    if "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; then
      echo "$candidate"
      return
    fi
  done
  if command -v pyenv >/dev/null; then
    version=$(pyenv versions --bare 2>/dev/null | grep -E '^3\.(1[2-9])' | sort -V | tail -n 1 || true)
    if [[ -n $version ]]; then
      echo "$(pyenv root)/versions/$version/bin/python"
      return
    fi
  fi
}

python=$(find_python)
if [[ -z $python ]]; then
  echo "No Python 3.12 or newer found (Django 6 needs it); set DJANGO6_PYTHON." >&2
  exit 3
fi
if [[ ! -x $VENV/bin/python || pyproject.toml -nt $VENV/.installed ]]; then
  "$python" -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --upgrade pip
  "$VENV/bin/python" -m pip install --quiet -e ".[dev,site]" "Django>=6.0,<6.2"
  touch "$VENV/.installed"
fi
"$VENV/bin/python" -c 'import django, sys; print(f"Django {django.get_version()} on Python {sys.version.split()[0]}")'
