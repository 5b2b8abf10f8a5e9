#!/usr/bin/env bash
# The whole check that CI runs (via `make test`): real PostgreSQL and Redis, lint, migrations, Django system
# checks (development and production), then the pytest suite. Exits with pytest's status.
# Extra arguments go to pytest, e.g. `scripts/test.sh -k enrolment -x`.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
VENV="${VENV:-$ROOT/.venv}"
PY="$VENV/bin/python"
BUILD_DIR="${REHAB_BUILD_DIR:-$ROOT/build}"

step() { printf '\n==> %s\n' "$*"; }

cleanup() {
    if [ "${KEEP_SERVICES:-0}" != 1 ]; then
        "$ROOT/scripts/stop-services.sh"
    fi
}

step "PostgreSQL and Redis"
PYTHON="$PY" "$ROOT/scripts/ensure-services.sh" >/dev/null
trap cleanup EXIT
# shellcheck disable=SC1091
. "$BUILD_DIR/services.env"
echo "DATABASE_URL=$DATABASE_URL"
echo "CELERY_BROKER_URL=$CELERY_BROKER_URL"
echo "REDIS_URL=$REDIS_URL"
# Tests run as development; a SECRET_KEY or DEBUG from the caller's shell must not switch them to production.
unset SECRET_KEY DEBUG ALLOWED_HOSTS SITE_URL SECURE_SSL_REDIRECT

step "ruff check ."
"$VENV/bin/ruff" check .

step "manage.py makemigrations --check --dry-run"
"$PY" manage.py makemigrations --check --dry-run

step "manage.py check"
"$PY" manage.py check

step "manage.py check --deploy (production settings)"
DEBUG=false \
SECRET_KEY='rehab-ci-6Yq2vT9pLx3WmK8sRj4Nf7Hc1Zb5Ud0Ea-Gi_Po2Lk9Mn4Bv7Cx3Sd' \
ALLOWED_HOSTS=rehab.example.org \
SITE_URL=https://rehab.example.org \
    "$PY" manage.py check --deploy --fail-level WARNING

step "pytest"
status=0
"$VENV/bin/pytest" "$@" || status=$?
exit "$status"
