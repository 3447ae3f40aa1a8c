#!/usr/bin/env bash
# `make demo` after install and migrations: local stand-ins for S3 (moto's server) and Vibe (the
# project's fake Vibe API) on loopback,
# demo data loaded through the real pipeline, then the site and the django-q2 cluster.
# A port already in use stops it at once, saying which and how to choose another; the address
# and the logins are printed last, in a box. DEBUG is off (dashboard_project.settings.demo), so
# a missing page shows the product's own 404 page, as in production.
# Ctrl-C stops everything; the cluster is stopped by signalling its main process only.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=.venv/bin
S3_PORT=${DEMO_S3_PORT:-5055}
VIBE_PORT=${DEMO_VIBE_PORT:-8765}
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}
mkdir -p var

# Before anything starts: every port must be free.
"$BIN/python" scripts/demo_ports.py "$HOST" \
  "DEMO_S3_PORT=$S3_PORT" "DEMO_VIBE_PORT=$VIBE_PORT" "PORT=$PORT"

# Links (printed and in emails) use the address the demo serves on.
case "$HOST" in
  0.0.0.0 | "::") LINK_HOST=127.0.0.1 ;;
  *) LINK_HOST=$HOST ;;
esac
export SITE_URL="http://${LINK_HOST}:${PORT}"
export ALLOWED_HOSTS="127.0.0.1,localhost,${HOST}"
export DJANGO_SETTINGS_MODULE=dashboard_project.settings.demo
export AWS_ACCESS_KEY_ID=demo AWS_SECRET_ACCESS_KEY=demo
export AWS_S3_ENDPOINT_URL="http://127.0.0.1:${S3_PORT}"
# The project's fake Vibe API; a demo report is ready after 15 s, so poll sooner than in real life.
export VIBE_API_BASE_URL="http://127.0.0.1:${VIBE_PORT}/rest/reporting/v1"
export VIBE_FIRST_POLL_DELAY_SECONDS=${VIBE_FIRST_POLL_DELAY_SECONDS:-16}
export VIBE_POLL_MIN_INTERVAL_SECONDS=${VIBE_POLL_MIN_INTERVAL_SECONDS:-10}

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

# Waits until our process $2 answers on port $1; stops the demo if it died instead (a port taken
# meanwhile, say), with the end of its log.
wait_for() {
  local port=$1 pid=$2 what=$3 log=$4
  for _ in $(seq 1 100); do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "make demo cannot start: $what exited (port $port)${log:+; the end of $log:}" >&2
      [ -z "$log" ] || tail -n 15 "$log" >&2 || true
      exit 1
    fi
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
    sleep 0.2
  done
  echo "make demo cannot start: $what did not answer on port $port within 20 s${log:+; see $log}" >&2
  exit 1
}

"$BIN/moto_server" -H 127.0.0.1 -p "$S3_PORT" >var/demo-s3.log 2>&1 &
pids+=($!)
wait_for "$S3_PORT" "$!" "the fake S3 (moto)" var/demo-s3.log
"$BIN/python" manage.py fake_vibe --port "$VIBE_PORT" \
  --advertiser "5c2d8f3a-9b1e-4c7a-8d2f-borealis-ctv=Borealis" >var/demo-vibe.log 2>&1 &
pids+=($!)
wait_for "$VIBE_PORT" "$!" "the fake Vibe API" var/demo-vibe.log

"$BIN/python" manage.py demo --no-box
"$BIN/python" manage.py pacing_demo

"$BIN/python" manage.py qcluster >var/qcluster.log 2>&1 &
pids+=($!)
echo "Task cluster running (log: var/qcluster.log)."
"$BIN/python" manage.py runserver "${HOST}:${PORT}" --noreload &
pids+=($!)
server=$!
wait_for "$PORT" "$server" "the web server" ""
"$BIN/python" manage.py demo --box-only
wait "$server"
