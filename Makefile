# rehab — developer entry points. `make run` to try it, `make test` for what CI runs.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.requirements-installed

# Debian packages: WeasyPrint (Pango, HarfBuzz), fonts for Latin and Cyrillic, gettext for translations,
# poppler-utils (pdftotext) to read back generated PDFs; chromium for the browser tests, zbar-tools to decode
# the QR codes printed on certificates.
RUN_DEBS  := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core fonts-dejavu-extra \
             fonts-noto-core gettext poppler-utils
TEST_DEBS := $(RUN_DEBS) chromium zbar-tools

.PHONY: help run test deps-run deps-test venv messages migrate seed services stop-services clean-services clean

help:
	@echo "make run             install what is missing, migrate, load demo data, start web server + Celery worker"
	@echo "make test            what CI runs: ruff, migration check, system checks, pytest on PostgreSQL + Redis"
	@echo "make services        start/find PostgreSQL and Redis for tests, print their URLs"
	@echo "make stop-services   stop private test servers started under build/"
	@echo "make clean-services  stop them and delete their data (build/)"

# --- installation -----------------------------------------------------------------------------------------

deps-run:
	@scripts/apt-ensure.sh $(RUN_DEBS)
	@if ! $(PYTHON) -c 'import ensurepip, venv' >/dev/null 2>&1 && [ ! -x $(PY) ]; then \
		scripts/apt-ensure.sh python3-venv; fi

deps-test:
	@scripts/apt-ensure.sh $(TEST_DEBS)
	@if ! $(PYTHON) -c 'import ensurepip, venv' >/dev/null 2>&1 && [ ! -x $(PY) ]; then \
		scripts/apt-ensure.sh python3-venv; fi

# Reinstalled only when a requirements file is newer than the stamp (or the virtualenv is gone).
$(STAMP): requirements.txt requirements-dev.txt
	@[ -x $(PY) ] || { echo "Creating $(VENV)"; $(PYTHON) -m venv $(VENV); }
	$(PY) -m pip install --disable-pip-version-check -q -r requirements-dev.txt
	@touch $@

venv: $(STAMP)

# Compiles locale/*.po when there are any; the virtualenv and build output are not ours to compile.
messages: $(STAMP)
	@if [ -d locale ] && [ -n "$$(find locale -name '*.po' -print -quit)" ]; then \
		$(PY) manage.py compilemessages --ignore '.venv' --ignore 'build' --ignore 'var' || \
			echo "compilemessages failed; continuing with untranslated strings" >&2; \
	fi

# --- make run ---------------------------------------------------------------------------------------------

migrate: $(STAMP)
	$(PY) manage.py migrate --noinput

seed: migrate
	@if $(PY) manage.py help seed_demo >/dev/null 2>&1; then \
		$(PY) manage.py seed_demo; \
	else \
		echo "(seed_demo is not available yet: no demo data loaded)"; \
	fi

run: deps-run venv messages seed
	@scripts/run.sh

# --- make test --------------------------------------------------------------------------------------------

test: deps-test venv messages
	@scripts/test.sh

services: $(STAMP)
	@PYTHON=$(PY) scripts/ensure-services.sh

stop-services:
	@scripts/stop-services.sh --all

clean-services:
	@scripts/stop-services.sh --all
	rm -rf build

clean:
	rm -rf build staticfiles .ruff_cache .pytest_cache
	find . -path ./.venv -prune -o -name __pycache__ -type d -exec rm -rf {} +
