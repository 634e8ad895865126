# KimonDesk: `make run` starts everything, `make test` runs the suite.
# Both create the virtualenv (.venv) from requirements-dev.lock (runtime + dev tools, hashed) first
# when it is missing; production installs requirements.lock (runtime only). `make lock` rewrites both
# locks from pyproject.toml. A lock holds every package, so pip installs it with --no-deps: left to
# resolve, pip (before 23.3) takes a dependency's extra (`cachecontrol[filecache]`) at its newest
# release instead of the pinned one and refuses the hashed install; `pip check` then proves the set whole.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
PYTEST_ARGS ?=
# `make mutate`: the module to mutate (its test files are listed in tools/mutation.toml) and how
# many mutants run at once. Not part of `make check` or CI: a run takes minutes.
MODULE ?= escalations/engine/conditions.py
MUTATE_JOBS ?= 2
MUTATE_ARGS ?=

.PHONY: install lock run test lint typecheck check clean mutate contract-snapshot

# The marker is rebuilt when the lock changes, or when the venv itself is gone.
$(VENV)/.installed: requirements-dev.lock pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -r requirements-dev.lock
	$(PY) -m pip check
	touch $@

install:
	@test -x $(PY) || rm -f $(VENV)/.installed
	@$(MAKE) --no-print-directory $(VENV)/.installed

# Migrate (which also registers the periodic tasks), collect static files, seed the demo data
# (idempotent), then run the ASGI server and
# the task cluster together; Ctrl-C stops both.
# Exact versions with hashes, one lock per group; only what pyproject.toml allows.
lock: install
	$(VENV)/bin/uv pip compile pyproject.toml --python-version 3.11 --generate-hashes \
		--no-annotate --no-header --quiet -o requirements.lock
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev --python-version 3.11 --generate-hashes \
		--no-annotate --no-header --quiet -o requirements-dev.lock

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

# Rewrite the contract snapshots (tests/contract/openapi.yaml, ws_*.json) after an intended
# change of the API schema or the live events; review and commit the diff with that change.
contract-snapshot: install
	$(PY) -m tests.contract.refresh

# Mutation testing of one module against its own tests (mutmut, at low CPU priority); the summary
# lands in var/mutation/<module>/summary.md. Results and commands: docs/mutation.md.
mutate: install
	$(PY) tools/mutate.py $(MODULE) --jobs $(MUTATE_JOBS) $(MUTATE_ARGS)

clean:
	rm -rf var artifacts
