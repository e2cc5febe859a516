# QG: `make run` serves it with demo data as production does (gunicorn, WhiteNoise),
# `make dev` with Django's auto-reloading server, `make test` runs every test.
# Both install what is missing first (Debian packages, .venv) and start the
# project's own PostGIS and Redis (scripts/services.sh); see README.md.
# A second run reinstalls nothing and keeps the data.
SHELL := /bin/bash
PY := .venv/bin/python
MANAGE := $(PY) manage.py

.PHONY: setup install services run dev test lint bench stop

install:
	@scripts/setup.sh

services: install
	@$(PY) scripts/check_settings.py
	@scripts/services.sh start
	@$(MANAGE) doctor

# Everything `run` does except serving; safe to repeat.
setup: services
	@$(MANAGE) migrate --noinput -v 0
	@$(MANAGE) compilemessages --ignore=.venv -v 0
	@QG_SERVE_COLLECTED_STATIC=true $(MANAGE) collectstatic --noinput -v 0
	@$(MANAGE) load_demo

# Ctrl-C stops the web server, the Celery worker and beat, and PostGIS and Redis
# too, unless they were already running before (another `make run`, `make test`…).
# `run` serves as production does: gunicorn (gunicorn.conf.py: several workers, a request
# timeout), static files collected and served by WhiteNoise.
run: install
	@scripts/serve.sh check-port
	@if scripts/services.sh running; then export QG_KEEP_SERVICES=1; fi; \
	  $(MAKE) --no-print-directory setup && scripts/serve.sh

# `dev`: the same, with Django's development server, reloaded when the code changes.
dev: install
	@scripts/serve.sh check-port
	@if scripts/services.sh running; then export QG_KEEP_SERVICES=1; fi; \
	  $(MAKE) --no-print-directory setup && scripts/serve.sh dev

# Linters only (no service): ruff, the layer contracts of DESIGN.md (.importlinter) and
# mypy with django-stubs on the modules listed in mypy.ini.
lint: install
	@.venv/bin/ruff check .
	@.venv/bin/ruff format --check .
	@.venv/bin/lint-imports --no-cache
	@.venv/bin/mypy

# scripts/pytest.sh turns pytest's "no tests collected" (exit 5) into a failure.
test: services lint
	@$(MANAGE) compilemessages --ignore=.venv -v 0
	@$(MANAGE) makemigrations --check --dry-run
	@scripts/pytest.sh $(PYTEST_ARGS)

# Benchmarks use their own database (bench/run.py): no demo data needed.
bench: services
	@$(PY) bench/run.py

stop:
	@scripts/serve.sh stop
	@scripts/services.sh stop
