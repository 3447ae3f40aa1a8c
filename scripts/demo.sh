#!/usr/bin/env bash
# `make demo` after install and migrations: local stand-ins for S3 (moto's server) and Vibe (the
# project's fake Vibe API) on loopback,
# demo data loaded through the real pipeline, then the site and the django-q2 cluster.
# Ctrl-C stops everything; the cluster is stopped by signalling its main process only.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=.venv/bin
S3_PORT=${DEMO_S3_PORT:-5055}
VIBE_PORT=${DEMO_VIBE_PORT:-8765}
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}
mkdir -p var

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

wait_for_port() {
  for _ in $(seq 1 50); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.2
  done
  echo "Nothing answered on port $1; see var/*.log" >&2
  exit 1
}

"$BIN/moto_server" -H 127.0.0.1 -p "$S3_PORT" >var/demo-s3.log 2>&1 &
pids+=($!)
"$BIN/python" manage.py fake_vibe --port "$VIBE_PORT" \
  --advertiser "5c2d8f3a-9b1e-4c7a-8d2f-borealis-ctv=Borealis" >var/demo-vibe.log 2>&1 &
pids+=($!)
wait_for_port "$S3_PORT"
wait_for_port "$VIBE_PORT"

"$BIN/python" manage.py demo
"$BIN/python" manage.py pacing_demo

"$BIN/python" manage.py qcluster >var/qcluster.log 2>&1 &
pids+=($!)
echo "Task cluster running (log: var/qcluster.log). Serving http://${HOST}:${PORT}/ - Ctrl-C stops."
"$BIN/python" manage.py runserver "${HOST}:${PORT}" --noreload
