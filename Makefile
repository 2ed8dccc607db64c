# Accord: `make run` to try it, `make test` to test it. Both set everything up from scratch.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.8
export DJANGO_DEBUG ?= 1
export UV_PROJECT_ENVIRONMENT := $(VENV)
MANAGE := $(BIN)/python manage.py

.PHONY: run test setup install migrate lint format migrations-check bench clean

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

migrate: install var
	$(MANAGE) migrate --noinput
	$(MANAGE) load_builtin_schemes

setup: migrate

run: setup
	$(MANAGE) load_demo
	$(MANAGE) runserver 127.0.0.1:8000

test: setup
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

migrations-check: install
	$(MANAGE) makemigrations --check --dry-run

bench: setup
	$(BIN)/python bench/gias_import.py
	$(BIN)/python bench/register.py
	$(BIN)/python bench/tasks_page.py

clean:
	rm -rf $(VENV) var
