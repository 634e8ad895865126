# KimonDesk: `make run` starts everything, `make test` runs the suite.
# Both create the virtualenv (.venv) from requirements.lock first when it is missing.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: install run test lint typecheck check clean

# The marker is rebuilt when the lock changes, or when the venv itself is gone.
$(VENV)/.installed: requirements.lock pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	touch $@

install:
	@test -x $(PY) || rm -f $(VENV)/.installed
	@$(MAKE) --no-print-directory $(VENV)/.installed

# Migrate (which also registers the periodic tasks), collect static files, seed the demo data
# (idempotent), then run the ASGI server and
# the task cluster together; Ctrl-C stops both.
run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput -v0
	$(PY) manage.py seed_demo
	@echo "KimonDesk on http://127.0.0.1:$(PORT)/ (Ctrl-C stops the web server and the task cluster)"
	PORT=$(PORT) $(VENV)/bin/honcho -f Procfile.dev start

test: install
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: install
	$(VENV)/bin/mypy .

check: lint typecheck test

clean:
	rm -rf var artifacts
