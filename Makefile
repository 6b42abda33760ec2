# Ketamine Clinic: the two commands are `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/ketamine_clinic

.PHONY: run install test test-postgres test-e2e lint format bench bench-fhir bench-scale bench-http screenshots clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c "import sys; sys.exit(sys.version_info[:2] != (3, 11))" || { echo "Python 3.11 is required (found: $(PYTHON))"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# WeasyPrint (the PDF reports) loads Pango and HarfBuzz from the system. Without them everything
# else works and each PDF asked for fails with a message; install them with the system's package
# manager (this target does not: it never changes the system).
PDF_LIBRARIES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core

install: $(STAMP)
	@$(BIN)/python -c "import weasyprint" >/dev/null 2>&1 || { \
	  echo ""; \
	  echo "*** PDF reports are off: WeasyPrint cannot load Pango/HarfBuzz (system libraries)."; \
	  echo "*** On Debian or Ubuntu: sudo apt-get install $(PDF_LIBRARIES)"; \
	  echo "*** (macOS: brew install pango). Everything else works without them."; \
	  echo ""; }

# Development: SQLite in ./db.sqlite3, demo clinic, console e-mail, 2FA off. The task worker
# (e-mails such as password reset links) runs beside the server and stops with it.
run: export CLINIC_ENVIRONMENT ?= development
# Links in e-mails, portal invitations and the printed sign-ins name the host and port served here,
# unless CLINIC_BASE_URL is set (a proxy's public address, for example).
run: export CLINIC_BASE_URL ?= http://$(HOST):$(PORT)
run: install
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py load_demo_clinic
	$(BIN)/python manage.py db_worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

# The whole suite (unit, integration and browser tests) on SQLite.
test: install
	$(BIN)/python -m pytest -n 2 -rs

# The same suite against the PostgreSQL server on 127.0.0.1:5432 (trust auth, user postgres).
test-postgres: install
	DATABASE_URL=$(POSTGRES_URL) $(BIN)/python -m pytest -n 2 -rs

# Browser tests alone; with CLINIC_REQUIRE_BROWSER=1 (CI) a missing Chromium fails instead of skipping.
test-e2e: install
	$(BIN)/python -m pytest -n 2 -rs tests/e2e

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	CLINIC_ENVIRONMENT=development $(BIN)/python -m mypy

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# SQLite always; PostgreSQL too when DATABASE_URL is set.
bench: install
	env -u DATABASE_URL CLINIC_ENVIRONMENT=test $(BIN)/python -m bench
	env -u DATABASE_URL CLINIC_ENVIRONMENT=test $(BIN)/python -m bench.fhir
	@if [ -n "$$DATABASE_URL" ]; then CLINIC_ENVIRONMENT=test $(BIN)/python -m bench; fi

# The bulk FHIR export alone (also run by `make bench`): resources a second and peak memory at
# 1,000 and 10,000 patients (BENCH_FHIR_SIZES).
bench-fhir: install
	env -u DATABASE_URL CLINIC_ENVIRONMENT=test $(BIN)/python -m bench.fhir

# The same pages at about 1,000 and at 100,000 patients (BENCH_SCALE_PATIENTS): their cost must not
# grow with the clinic. Builds the large clinic by bulk inserts (a few minutes).
bench-scale: install
	CLINIC_ENVIRONMENT=test $(BIN)/python -m bench.scale

# The chart, the session page and its live region served by gunicorn (2 workers, production
# settings, loopback) from PostgreSQL (DATABASE_URL, else POSTGRES_URL), beside a bare signed-in view.
bench-http: install
	DATABASE_URL=$${DATABASE_URL:-$(POSTGRES_URL)} CLINIC_ENVIRONMENT=test $(BIN)/python -m bench.http

# Each role's main page from a throwaway demo clinic, into docs/screenshots/ (needs Chromium).
screenshots: install
	$(BIN)/python docs/screenshots.py

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
