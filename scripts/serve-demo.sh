#!/usr/bin/env bash
# Load and serve the demo: the development server, the background task worker and the
# scheduler that queues the daily and weekly jobs (reminders, digests, rule syncs), side by
# side.
# Ctrl+C (or SIGTERM to this script) stops all three.
set -euo pipefail
PY=${1:-.venv/bin/python}
# DEMO_ADDRESS is where the development server listens, as runserver takes it: "8080",
# "127.0.0.1:8080" or "[::1]:8080".
ADDRESS=${DEMO_ADDRESS:-127.0.0.1:8000}

# Links made outside a request (emails sent by the worker, certificate PDFs and their QR
# codes, the demo's Wagtail site record) use WAGTAILADMIN_BASE_URL. Unless it is set
# already, it is the address served here; a server listening on every interface is
# reached from this machine at 127.0.0.1.
demo_base_url() {
    local address=$1 host port
    if [[ $address =~ ^[0-9]+$ ]]; then
        host=127.0.0.1 port=$address
    else
        host=${address%:*} port=${address##*:}
    fi
    case $host in
        0.0.0.0 | "") host=127.0.0.1 ;;
        "[::]") host="[::1]" ;;
    esac
    echo "http://$host:$port"
}
WAGTAILADMIN_BASE_URL=${WAGTAILADMIN_BASE_URL:-$(demo_base_url "$ADDRESS")}
export WAGTAILADMIN_BASE_URL

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

# The demo content is loaded here, after the base URL is known, because loading it queues
# emails and certificates whose links must point at this address. It also points the
# Wagtail site record at it.
"$PY" manage.py demo_load

"$PY" manage.py db_worker --queue-name "*" --interval 1 --no-reload &
pids+=($!)
"$PY" manage.py run_scheduler &
pids+=($!)

"$PY" manage.py demo_logins
# In the background, so that a signal reaches the traps above at once; the script ends when
# the server does.
"$PY" manage.py runserver --noreload "$ADDRESS" &
server=$!
pids+=("$server")
wait "$server"
