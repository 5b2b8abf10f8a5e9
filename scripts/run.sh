#!/usr/bin/env bash
# `make run`, after install/migrate/seed: a Celery worker in the background (filesystem broker by default,
# so no server is needed) and the development web server in the foreground. Stopping the web server
# (Ctrl-C) stops the worker too.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
VENV="${VENV:-$ROOT/.venv}"
ADDR="${RUN_ADDR:-127.0.0.1:8000}"
LOG_DIR="${REHAB_VAR_DIR:-$ROOT/var}/log"
mkdir -p "$LOG_DIR"
CELERY_LOG="$LOG_DIR/celery.log"

worker_pid=""
server_pid=""
stop_all() {
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
        kill -TERM "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    if [ -n "$worker_pid" ] && kill -0 "$worker_pid" 2>/dev/null; then
        echo "Stopping the Celery worker (pid $worker_pid)..."
        kill -TERM "$worker_pid" 2>/dev/null || true
        for _ in $(seq 1 100); do kill -0 "$worker_pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$worker_pid" 2>/dev/null || true
    fi
    worker_pid=""
}
trap stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "Starting the Celery worker with its beat scheduler (log: $CELERY_LOG)"
# -B: the periodic jobs (queueing certificates issued while the broker was away) run inside this one worker;
# production runs a single `celery -A rehab beat` instead.
"$VENV/bin/celery" -A rehab worker -B -s "${REHAB_VAR_DIR:-$ROOT/var}/celerybeat-schedule" -l info --concurrency 2 \
    >>"$CELERY_LOG" 2>&1 </dev/null &
worker_pid=$!
sleep 2
if ! kill -0 "$worker_pid" 2>/dev/null; then
    echo "WARNING: the Celery worker did not start; last lines of $CELERY_LOG:" >&2
    tail -n 20 "$CELERY_LOG" >&2 || true
    worker_pid=""
fi

line='+------------------------------------------------------------------+'
row() { printf '| %-64s |\n' "$1"; }
echo
echo "$line"
row "rehab is starting at  http://$ADDR/"
row ""
row "Demo logins (password for all: rehab-demo)"
row "  admin        system administrator (Django admin at /admin/)"
row "  director     director, Lipjan women's correctional centre"
row "  trainer      filigree coach from Prizren"
row "  registrar    Vocational Training Center Prizren"
row "  casemanager  case manager, Lipjan"
row "  probation    Kosovo probation service"
row "  officer      programme officer for Kosovo"
row "  donor        EU/Council of Europe action (donor reports)"
row ""
row "Celery worker log: ${CELERY_LOG#"$ROOT"/}"
row "Stop with Ctrl-C."
echo "$line"
echo

# In the background and waited for, so that INT/TERM reach our traps at once and the worker is stopped with
# the server however this script ends.
"$VENV/bin/python" manage.py runserver "$ADDR" </dev/null &
server_pid=$!
status=0
wait "$server_pid" || status=$?
exit "$status"
