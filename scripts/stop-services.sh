#!/usr/bin/env bash
# Stop the private PostgreSQL/Redis that scripts/ensure-services.sh started (never the system servers).
# Their data stays under build/ so the next start is quick.
#   scripts/stop-services.sh          stop what the last ensure-services.sh run started itself
#   scripts/stop-services.sh --all    stop any private server recorded in build/ (also ones it reused)
set -uo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUILD_DIR="${REHAB_BUILD_DIR:-$ROOT/build}"
ENV_FILE="$BUILD_DIR/services.env"
ALL=0
[ "${1:-}" = "--all" ] && ALL=1

REHAB_PG_STARTED=0 REHAB_PG_DATA="" REHAB_PG_CTL="" REHAB_REDIS_STARTED=0 REHAB_REDIS_PIDFILE=""
# shellcheck disable=SC1090
[ -f "$ENV_FILE" ] && . "$ENV_FILE"

pg_datas=()
[ "$REHAB_PG_STARTED" = 1 ] || [ "$ALL" = 1 ] && [ -n "$REHAB_PG_DATA" ] && pg_datas+=("$REHAB_PG_DATA")
[ "$ALL" = 1 ] && pg_datas+=("$BUILD_DIR/pg/data")
for data in "${pg_datas[@]}"; do
    [ -f "$data/postmaster.pid" ] || continue
    pid="$(head -n 1 "$data/postmaster.pid")"
    kill -0 "$pid" 2>/dev/null || continue
    echo "stop-services: stopping private PostgreSQL ($data)" >&2
    ctl="$REHAB_PG_CTL"
    [ -x "$ctl" ] || ctl="$(command -v pg_ctl || ls -d /usr/lib/postgresql/*/bin/pg_ctl 2>/dev/null | sort -V | tail -n 1)"
    runas=()
    [ "$(id -u)" -eq 0 ] && runas=(runuser -u postgres --)
    "${runas[@]}" "$ctl" -D "$data" -m fast -w stop >/dev/null 2>&1 || kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
done

pidfiles=()
[ "$REHAB_REDIS_STARTED" = 1 ] || [ "$ALL" = 1 ] && [ -n "$REHAB_REDIS_PIDFILE" ] && pidfiles+=("$REHAB_REDIS_PIDFILE")
[ "$ALL" = 1 ] && pidfiles+=("$BUILD_DIR/redis/redis.pid")
for pidfile in "${pidfiles[@]}"; do
    [ -s "$pidfile" ] || continue
    pid="$(cat "$pidfile")"
    kill -0 "$pid" 2>/dev/null || continue
    echo "stop-services: stopping private Redis (pid $pid)" >&2
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
done
exit 0
