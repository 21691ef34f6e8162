#!/usr/bin/env bash
# Deploy as the README says and check the site answers: production settings, a new
# PostgreSQL database, the Redis cache, migrate, collectstatic, then gunicorn, fetching the
# home page, the login page, the health check and a hashed stylesheet, and logging in once
# (wrongly) so that the rate-limit counters must go to Redis. Everything it makes (database,
# folders, cache entries, the server) is removed at the end, whether it passes or not.
#
#   scripts/deploy-smoke.sh            # PostgreSQL at 127.0.0.1:5432 (user postgres), Redis
#                                      # at 127.0.0.1:6379 database 14; see the variables below
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${VENV:-.venv}
PY=$VENV/bin/python
PG_URL=${DEPLOY_SMOKE_POSTGRES:-postgres://postgres@127.0.0.1:5432}
# A Redis database of the smoke test's own: it is emptied before and after.
REDIS=${DEPLOY_SMOKE_REDIS_URL:-redis://127.0.0.1:6379/14}
HOST=127.0.0.1

started=$SECONDS
work=$(mktemp -d "${TMPDIR:-/tmp}/imh-deploy-smoke.XXXXXX")
database=imh_deploy_smoke_$$
server=""
migrate=""

fail() {
  echo "deploy smoke: FAILED: $*" >&2
  if grep -q Traceback "$work/gunicorn.log" 2>/dev/null; then
    # The first error is the one to read: later ones are often its consequences.
    echo "--- gunicorn log, from the first error" >&2
    sed -n '/Traceback/,$p' "$work/gunicorn.log" | head -n 60 >&2
  fi
  exit 1
}

redis_cmd() {
  "$PY" - "$REDIS" "$@" <<'EOF'
import sys

import redis

client = redis.Redis.from_url(sys.argv[1], socket_connect_timeout=3)
command = sys.argv[2]
if command == "flush":
    client.flushdb()
elif command == "count":
    print(sum(1 for _ in client.scan_iter(match=f"*{sys.argv[3]}*")))
EOF
}

cleanup() {
  local status=$?
  [[ -z $migrate ]] || kill "$migrate" 2>/dev/null || true
  if [[ -n $server ]] && kill -0 "$server" 2>/dev/null; then
    kill -INT "$server" 2>/dev/null || true  # gunicorn's quick shutdown
    for _ in $(seq 100); do kill -0 "$server" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$server" 2>/dev/null || true
  fi
  psql "$PG_URL/postgres" -qc "DROP DATABASE IF EXISTS $database WITH (FORCE)" >/dev/null 2>&1 || true
  redis_cmd flush >/dev/null 2>&1 || true
  # DEPLOY_SMOKE_KEEP=1 keeps the folder (logs, pages fetched) to look into a failure.
  if [[ -n ${DEPLOY_SMOKE_KEEP:-} ]]; then echo "kept $work" >&2; else rm -rf "$work"; fi
  exit "$status"
}
trap cleanup EXIT

export DJANGO_SETTINGS_MODULE=cms.settings.production
DJANGO_SECRET_KEY=$("$PY" -c 'import secrets; print(secrets.token_urlsafe(64))')
export DJANGO_SECRET_KEY
export DJANGO_ALLOWED_HOSTS=$HOST
export WAGTAILADMIN_BASE_URL=https://learning.example.org
export DATABASE_URL=$PG_URL/$database
export REDIS_URL=$REDIS
export DJANGO_VAR_DIR=$work/var
export DJANGO_STATIC_ROOT=$work/static
export DJANGO_MEDIA_ROOT=$work/media
export DJANGO_PRIVATE_MEDIA_ROOT=$work/private-media
export DJANGO_LOG_LEVEL=WARNING

echo "deploy smoke: database $database, cache $REDIS"
psql "$PG_URL/postgres" -qc "CREATE DATABASE $database" >/dev/null
redis_cmd flush || fail "cannot reach Redis at $REDIS (is the redis package installed?)"

# The two steps touch different things, so they run side by side.
"$PY" manage.py migrate --noinput --verbosity 0 >"$work/migrate.log" 2>&1 &
migrate=$!
"$PY" manage.py collectstatic --noinput --verbosity 1 >"$work/collectstatic.log" 2>&1 \
  || { cat "$work/collectstatic.log" >&2; fail "collectstatic"; }
wait "$migrate" || { cat "$work/migrate.log" >&2; fail "migrate"; }
tail -n 1 "$work/collectstatic.log"

port=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base=http://$HOST:$port
"$VENV/bin/gunicorn" cms.wsgi --bind "$HOST:$port" --workers 2 --timeout 60 --graceful-timeout 5 \
  --error-logfile "$work/gunicorn.log" --capture-output &
server=$!

# Every request says it came through an HTTPS proxy, as production expects.
fetch() {
  local path=$1 out=$2
  shift 2
  curl --silent --show-error --max-time 20 --header "X-Forwarded-Proto: https" \
    --dump-header "$out.headers" --output "$out" --write-out '%{http_code}' "$@" "$base$path"
}

expect() {
  local path=$1 status=$2 text=$3 out
  out=$work/page-$((++fetched))
  local got
  got=$(fetch "$path" "$out") || fail "GET $path: no answer"
  [[ $got == "$status" ]] || fail "GET $path answered $got, not $status"
  grep -qF -- "$text" "$out" || fail "GET $path does not contain: $text"
  echo "deploy smoke: GET $path $got"
  last=$out
}
fetched=0

for _ in $(seq 100); do
  curl --silent --max-time 2 --output /dev/null --header "X-Forwarded-Proto: https" \
    "$base/healthz/" && break
  kill -0 "$server" 2>/dev/null || fail "gunicorn exited at start-up"
  sleep 0.2
done

expect /healthz/ 200 '"status": "ok"'
expect / 200 "Infant mental health training"
home=$last
stylesheet=$(grep -oE 'href="/static/[^"]+\.[0-9a-f]{12}\.css"' "$home" | head -n 1 | cut -d'"' -f2)
[[ -n $stylesheet ]] || fail "the home page links no hashed stylesheet"
expect "$stylesheet" 200 "nhsuk"
grep -qi '^content-type: text/css' "$last.headers" || fail "$stylesheet is not served as CSS"
grep -qi '^cache-control: .*immutable' "$last.headers" \
  || fail "$stylesheet is not cached for ever"
expect /accounts/login/ 200 'name="password"'
login=$last

# Plain HTTP is sent to HTTPS.
plain=$(curl --silent --max-time 10 --output /dev/null --write-out '%{http_code} %{redirect_url}' \
  "$base/accounts/login/")
[[ $plain == "301 https://"* ]] || fail "plain HTTP answered '$plain', not a redirect to HTTPS"

# A failed login: allauth's rate limit counts it in the cache, which must be Redis.
csrf_cookie=$(grep -i '^set-cookie: __Host-csrftoken=' "$login.headers" \
  | sed -E 's/^[^:]+: *(__Host-csrftoken=[^;]+).*/\1/' | tr -d '\r')
csrf_token=$(grep -oE 'name="csrfmiddlewaretoken" value="[^"]+"' "$login" | head -n 1 \
  | cut -d'"' -f4)
[[ -n $csrf_cookie && -n $csrf_token ]] || fail "the login page set no CSRF cookie and token"
out=$work/login-post
got=$(fetch /accounts/login/ "$out" --header "Cookie: $csrf_cookie" \
  --header "Referer: https://$HOST:$port/accounts/login/" \
  --data-urlencode "csrfmiddlewaretoken=$csrf_token" \
  --data-urlencode "login=nobody@example.org" --data-urlencode "password=not-the-password") \
  || fail "POST /accounts/login/: no answer"
[[ $got == 200 ]] || fail "POST /accounts/login/ answered $got, not 200"
grep -qF "The email address or password is not correct" "$out" \
  || fail "a wrong password did not get the usual error"
echo "deploy smoke: POST /accounts/login/ $got"
counters=$(redis_cmd count "allauth")
[[ $counters -gt 0 ]] || fail "no rate-limit counters in Redis after a failed login"
echo "deploy smoke: $counters rate-limit counters in Redis"

echo "deploy smoke: passed in $((SECONDS - started)) s"
