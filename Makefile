# Accord: `make run` to try it, `make test` to test it. Both set everything up from scratch.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.8
ADDRESS ?= 127.0.0.1:8000
export UV_PROJECT_ENVIRONMENT := $(VENV)
MANAGE := $(BIN)/python manage.py
# The local PostgreSQL that `make test` also runs the concurrency tests on, when it answers.
PG_TEST_URL ?= postgres://postgres@127.0.0.1:5432/accord_local

.PHONY: run test axe setup install migrate lint format migrations-check check-deploy bench bench-full bench-run clean manage

$(BIN)/uv:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# Installs exactly what uv.lock says (uv itself stays, hence --inexact).
$(VENV)/.installed: $(BIN)/uv pyproject.toml uv.lock
	$(BIN)/uv sync --frozen --inexact --python $(BIN)/python
	touch $@

install: $(VENV)/.installed

var:
	mkdir -p var/static

# Development settings for every command run in this checkout (manage.py included); the real
# environment overrides them, and production sets its own (see .env.example).
.env:
	printf '%s\n' '# Development settings written by make setup; production uses real environment variables.' \
	  'DJANGO_DEBUG=1' 'ACCORD_SITE_URL=http://$(ADDRESS)' > $@

migrate: install var .env
	$(MANAGE) migrate --noinput
	$(MANAGE) load_builtin_schemes

setup: migrate
	$(MANAGE) collectstatic --noinput --verbosity 0

# The e-mail worker runs in the background beside the server and stops when the server does.
# The demo's e-mails, the worker and the server all link to the address served, even when it
# is not the one .env was written with; an ACCORD_SITE_URL in the real environment (a tunnel
# or proxy in front of this server) is used instead.
run: export ACCORD_SITE_URL := $(or $(ACCORD_SITE_URL),http://$(ADDRESS))
run: setup
	$(MANAGE) load_demo
	@echo "Accord is at http://$(ADDRESS)/"
	$(MANAGE) outbox_worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(MANAGE) runserver $(ADDRESS)

# Production: gunicorn (gunicorn.conf.py) with DEBUG off, the e-mail worker beside it. Settings
# come from the environment and .env, or the file ACCORD_ENV_FILE names (see .env.example);
# without the production ones it says which is missing and stops.
.PHONY: serve
serve: export DJANGO_DEBUG = 0
serve: install var
	@$(BIN)/python -c 'import sys; sys.excepthook = lambda t, e, tb: sys.exit(f"Not serving: {e}"); import accord.settings'
	$(MANAGE) collectstatic --noinput --verbosity 0
	$(MANAGE) migrate --noinput
	$(MANAGE) load_builtin_schemes
	$(MANAGE) outbox_worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/gunicorn --config gunicorn.conf.py

# axe-core from npm, pinned, for the browser crawl's accessibility checks (never from a CDN).
# Without npm or a network this says so and the crawl skips its axe checks; CI requires them.
AXE_VERSION := 4.10.3
AXE_PACKAGE := var/axe/node_modules/axe-core/package.json
axe: var
	@if grep -qs '"version": "$(AXE_VERSION)"' $(AXE_PACKAGE); then :; \
	elif ! command -v npm >/dev/null 2>&1; then \
	  echo "npm not found: the browser crawl will skip its axe-core checks."; \
	elif ! npm install --prefix var/axe --silent --no-audit --no-fund --prefer-offline --fetch-retries=1 \
	    --fetch-timeout=20000 axe-core@$(AXE_VERSION) >/dev/null 2>&1; then \
	  echo "npm could not install axe-core $(AXE_VERSION): the browser crawl will skip its axe checks."; \
	fi

# The suite on SQLite, in parallel: one worker per core (pytest-xdist), each test file whole in
# one worker so that data built once per module is built once (`make test PYTEST_PARALLEL=`
# runs it in one process). Then the tests that need real concurrent connections on the local
# PostgreSQL, when one answers (CI runs the whole suite there as well).
PYTEST_PARALLEL ?= -n auto --dist loadfile
test: setup axe
	$(BIN)/pytest $(PYTEST_PARALLEL) $(PYTEST_ARGS)
	@if $(BIN)/python tests/postgres_available.py "$(PG_TEST_URL)"; then \
	  echo "== PostgreSQL-only tests on $(PG_TEST_URL) =="; \
	  DATABASE_URL="$(PG_TEST_URL)" $(BIN)/pytest -m postgres_only $(PYTEST_ARGS); \
	else \
	  echo "PostgreSQL does not answer at $(PG_TEST_URL): the PostgreSQL-only tests were skipped."; \
	fi

# Any management command with this checkout's settings: make manage ARGS="verify_audit"
manage: setup
	$(MANAGE) $(ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

migrations-check: install
	$(MANAGE) makemigrations --check --dry-run

# `check --deploy` on the production settings .env.example documents, with throwaway keys and
# static files collected into a temporary directory: any warning fails it.
check-deploy: install
	@var=$$(mktemp -d) && trap 'rm -rf "$$var"' EXIT && \
	export ACCORD_ENV_FILE=.env.example ACCORD_VAR_DIR="$$var" DJANGO_DEBUG=0 \
	  DJANGO_SECRET_KEY="$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
	  ACCORD_AUDIT_KEY="$$($(BIN)/python -c 'import secrets; print(secrets.token_hex(32))')" && \
	$(MANAGE) collectstatic --noinput --verbosity 0 && \
	$(MANAGE) check --deploy --fail-level WARNING

# The benchmarks (bench/README.md): every page under gunicorn against a floor view, send_reminders
# and the GIAS import. `make bench` runs at a twentieth of national scale, `make bench-full` at
# national scale; each on SQLite, then on the PostgreSQL at BENCH_PG_URL when it answers (in a
# database of its own beside the one named, dropped afterwards).
BENCH_PG_URL ?= $(PG_TEST_URL)
BENCH_SCALE ?= 0.05
bench: setup
	$(MAKE) --no-print-directory bench-run BENCH_ARGS="--scale $(BENCH_SCALE) --verify-audit"

bench-full: setup
	$(MAKE) --no-print-directory bench-run BENCH_ARGS="--scale 1"

bench-run:
	$(BIN)/python bench/run.py $(BENCH_ARGS)
	@if $(BIN)/python tests/postgres_available.py "$(BENCH_PG_URL)"; then \
	  $(BIN)/python bench/run.py $(BENCH_ARGS) --database-url "$(BENCH_PG_URL)"; \
	else \
	  echo "PostgreSQL does not answer at $(BENCH_PG_URL): its benchmark was skipped."; \
	fi

clean:
	rm -rf $(VENV) var .env
