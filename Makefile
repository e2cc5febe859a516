# QG: `make run` serves it with demo data, `make test` runs every test.
# Both install what is missing first (Debian packages, .venv) and start the
# project's own PostGIS and Redis (scripts/services.sh); see README.md.
# A second run reinstalls nothing and keeps the data.
SHELL := /bin/bash
PY := .venv/bin/python
MANAGE := $(PY) manage.py

.PHONY: setup install services run test lint bench stop

install:
	@scripts/setup.sh

services: install
	@scripts/services.sh start
	@$(MANAGE) doctor

# Everything `run` does except serving; safe to repeat.
setup: services
	@$(MANAGE) migrate --noinput -v 0
	@$(MANAGE) compilemessages --ignore=.venv -v 0
	@$(MANAGE) load_demo

# Ctrl-C stops the web server, the Celery worker and beat, and PostGIS and Redis
# too, unless they were already running before (another `make run`, `make test`…).
run: install
	@if scripts/services.sh running; then export QG_KEEP_SERVICES=1; fi; \
	  $(MAKE) --no-print-directory setup && scripts/serve.sh

lint: install
	@.venv/bin/ruff check .
	@.venv/bin/ruff format --check .

# pytest's exit code 5 means "no test collected": a failure here, never a green run.
test: services lint
	@$(MANAGE) compilemessages --ignore=.venv -v 0
	@$(MANAGE) makemigrations --check --dry-run
	@.venv/bin/pytest $(PYTEST_ARGS); status=$$?; \
	  if [ $$status = 5 ]; then \
	    printf '\033[1;31m[qg] erreur :\033[0m pytest n'"'"'a exécuté aucun test (code 5) : vérifiez testpaths dans pytest.ini et PYTEST_ARGS / PYTEST_ADDOPTS.\n' >&2; \
	    exit 1; \
	  fi; exit $$status

# Benchmarks use their own database (bench/run.py): no demo data needed.
bench: services
	@$(PY) bench/run.py

stop:
	@scripts/serve.sh stop
	@scripts/services.sh stop
