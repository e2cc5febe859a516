# QG: `make run` serves it with demo data, `make test` runs every test.
# Both install what is missing first (Debian packages, .venv) and start the
# project's own PostGIS and Redis (scripts/services.sh); see README.md.
SHELL := /bin/bash
PY := .venv/bin/python
MANAGE := $(PY) manage.py

.PHONY: setup install services run test lint bench stop

install:
	@scripts/setup.sh

services: install
	@scripts/services.sh start
	@$(MANAGE) doctor

setup: services
	@$(MANAGE) migrate --noinput -v 0
	@$(MANAGE) compilemessages --ignore=.venv -v 0
	@$(MANAGE) load_demo

run: setup
	@scripts/serve.sh

lint: install
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

test: services lint
	@$(MANAGE) compilemessages --ignore=.venv -v 0
	$(MANAGE) makemigrations --check --dry-run
	.venv/bin/pytest

bench: setup
	$(PY) bench/run.py

stop:
	@scripts/serve.sh stop
	@scripts/services.sh stop
