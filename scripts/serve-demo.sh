#!/usr/bin/env bash
# Serve the demo: the development server and the background task worker side by side.
# Ctrl+C stops both.
set -euo pipefail
PY=${1:-.venv/bin/python}
ADDRESS=${DEMO_ADDRESS:-127.0.0.1:8000}

"$PY" manage.py db_worker --queue-name "*" --interval 1 --no-reload &
worker=$!
trap 'kill "$worker" 2>/dev/null || true' EXIT INT TERM

"$PY" manage.py demo_logins --base-url "http://$ADDRESS"
"$PY" manage.py runserver --noreload "$ADDRESS"
