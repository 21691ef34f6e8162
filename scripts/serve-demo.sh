#!/usr/bin/env bash
# Serve the demo: the development server, the background task worker and the scheduler that
# queues the daily and weekly jobs (reminders, digests, rule syncs), side by side.
# Ctrl+C (or SIGTERM to this script) stops all three.
set -euo pipefail
PY=${1:-.venv/bin/python}
ADDRESS=${DEMO_ADDRESS:-127.0.0.1:8000}

pids=()
stop_all() {
    for pid in ${pids[@]+"${pids[@]}"}; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    wait ${pids[@]+"${pids[@]}"} 2>/dev/null || true
}
trap stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

"$PY" manage.py db_worker --queue-name "*" --interval 1 --no-reload &
pids+=($!)
"$PY" manage.py run_scheduler &
pids+=($!)

"$PY" manage.py demo_logins --base-url "http://$ADDRESS"
# In the background, so that a signal reaches the traps above at once; the script ends when
# the server does.
"$PY" manage.py runserver --noreload "$ADDRESS" &
server=$!
pids+=("$server")
wait "$server"
