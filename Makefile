# wsrouter: `make run` starts the server, `make test` runs every check.
# Every target that needs Python sets up .venv first (only python3 is required).

# PY picks the Python: `make test PY=python3.13` sets up and tests in .venv-python3.13/, so
# each Python has a virtualenv of its own and .venv/ (PY=python3) is left alone.
PY ?= python3
VENV := $(if $(filter python3,$(PY)),.venv,.venv-$(notdir $(PY)))
STAMP := $(VENV)/.installed
# The interpreter PY names. pyenv's shims answer `python3.13` only while that version is
# selected, so when PY does not run, the newest pyenv version that has it is used.
PYTHON := $(shell $(PY) -c 'import sys; print(sys.executable)' 2>/dev/null \
	|| ls -d "$$(pyenv root 2>/dev/null)"/versions/*/bin/$(PY) 2>/dev/null | sort -V | tail -n 1)

# make run HOST=0.0.0.0 PORT=8001
HOST ?= localhost
PORT ?= 8000

# The browser tests (tests/browser/) drive this Chromium; `make chromium` installs Debian's.
CHROMIUM ?= /usr/bin/chromium

# The cluster-mode tests start a real Redis and PostgreSQL (tests/servers.py); `make servers`
# installs Debian's packages where missing (PostgreSQL's go to /usr/lib/postgresql/N/bin).
HAVE_SERVERS := command -v redis-server >/dev/null && ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1

# The official AsyncAPI JSON Schema that tests/specs validates asyncapi.yaml against.
ASYNCAPI_SPECS_PACKAGE := @asyncapi/specs@6.11.1
ASYNCAPI_SCHEMA := tests/specs/schemas/asyncapi-3.0.0.json

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DELETE_ON_ERROR:
.DEFAULT_GOAL := help

.PHONY: help run gen gen-check golden lint docs test load chromium servers update-asyncapi-schema clean bench

help:
	@echo 'make run                     set up, then start the server on localhost:8000 (HOST=, PORT=)'
	@echo 'make test                    set up, then gen-check + lint + docs + pytest (PY=python3.13: another Python)'
	@echo 'make gen                     regenerate the _generated/ folders from the specs'
	@echo 'make gen-check               fail if the _generated/ folders differ from the specs'
	@echo 'make golden                  refresh the golden output of the generator tests (review the diff)'
	@echo 'make lint                    ruff check, ruff format --check, mypy --strict'
	@echo 'make docs                    build the docs site into var/site/ (a broken link fails it)'
	@echo 'make load                    a 30 s Locust run (40 users) against a local server -> var/load/'
	@echo 'make load CLUSTER=2          the same against 2 nodes on a local redis-server'
	@echo 'make chromium                install Chromium for the browser tests where missing (apt-get)'
	@echo 'make servers                 install redis-server and PostgreSQL for the tests where missing (apt-get)'
	@echo 'make update-asyncapi-schema  re-fetch the official AsyncAPI 3.0.0 JSON Schema'
	@echo 'make bench                   benchmark router vs bare ASGI vs python-socketio (var/bench/)'
	@echo 'make clean                   remove .venv, var/ and caches'

# Re-run the install whenever the dependencies or their pins change.
# The four parts (server, client SDK, generator, contract tester) are distributions of
# their own; here all are installed editable, with the tools of requirements-dev.txt.
PROJECTS := pyproject.toml clients/python/pyproject.toml codegen/pyproject.toml contract/pyproject.toml
$(STAMP): $(PROJECTS) requirements-dev.txt constraints.txt
	@test -n '$(PYTHON)' || { echo 'make: no $(PY) found (on PATH or under pyenv)' >&2; exit 1; }
	test -x $(VENV)/bin/python || '$(PYTHON)' -m venv $(VENV)
	$(VENV)/bin/pip install -c constraints.txt -r requirements-dev.txt \
		-e . -e ./clients/python -e ./codegen -e ./contract
	touch $@

run: $(STAMP)
	$(VENV)/bin/wsrouter serve --host '$(HOST)' --port '$(PORT)'

gen: $(STAMP)
	$(VENV)/bin/python -m wsrouter_codegen generate

gen-check: $(STAMP)
	$(VENV)/bin/python -m wsrouter_codegen generate --check

golden: $(STAMP)
	$(VENV)/bin/python -m tests.codegen.refresh_golden

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

# Strict (mkdocs.yml): a broken link or anchor, or any other warning, fails the build (not
# with --quiet, which hides the warnings from the count). The
# reference pages are generated from the specs and the code as it builds (docs/hooks.py).
docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs build

# Sub-makes rather than prerequisites, so the order holds (and stops at the first
# failure) even under `make -j`.
test: $(STAMP) chromium servers
	$(MAKE) --no-print-directory gen-check
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory docs
	WSROUTER_CHROMIUM='$(CHROMIUM)' $(VENV)/bin/pytest

# Not part of `make test`: a load run, not a test (tests/loadtests/ has a tiny smoke run).
# Starts its own server (free port, SQLite under var/load/, a fresh secret) and stops it;
# fails when Locust recorded any failure. LOAD_ARGS overrides, e.g. '--users 200 --run-time 2m'.
# CLUSTER=N: N nodes (`--workers N`) on a redis-server of their own (`make servers`).
LOAD_ARGS ?=
CLUSTER ?= 0
load: $(STAMP)
	$(VENV)/bin/python -m loadtests.run_local --out var/load --cluster $(CLUSTER) $(LOAD_ARGS)

# A check, not a stamp file: it costs nothing when Chromium is there, and notices when it
# went away. Playwright never downloads a browser here (no `playwright install`): Debian's
# package is the one tested. Needs root (or sudo); fails loudly when it cannot install.
chromium:
	@test -x '$(CHROMIUM)' || { \
		echo 'make: no Chromium at $(CHROMIUM): apt-get install chromium'; \
		sudo=''; [ "$$(id -u)" -eq 0 ] || sudo=sudo; \
		$$sudo apt-get update && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y chromium; \
	}
	@test -x '$(CHROMIUM)' || { echo 'make: still no Chromium at $(CHROMIUM)' >&2; exit 1; }

# As `chromium`: a check that costs nothing when both are there. The tests start their own
# servers (never the system's services) and fail, never skip, when a binary is missing.
servers:
	@{ $(HAVE_SERVERS); } || { \
		echo 'make: redis-server or PostgreSQL missing: apt-get install redis-server postgresql'; \
		sudo=''; [ "$$(id -u)" -eq 0 ] || sudo=sudo; \
		$$sudo apt-get update && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y \
			--no-install-recommends redis-server postgresql; \
	}
	@{ $(HAVE_SERVERS); } || { echo 'make: still no redis-server or PostgreSQL (initdb)' >&2; exit 1; }

# Not part of `make test`: about eight minutes of both cores (three of them the cluster row, on
# a redis-server of its own). The servers run on CPU 0, the load generator on CPU 1 (taskset);
# 5,000 idle connections need more than 1,024 descriptors.
bench: $(STAMP) servers
	ulimit -n "$$(ulimit -Hn)" && taskset -c 1 $(VENV)/bin/python -m loadtests.bench

# npm is used only to download the package tarball; nothing is installed.
update-asyncapi-schema: $(STAMP)
	tmp="$$(mktemp -d)"; trap 'rm -rf "$$tmp"' EXIT; \
	npm pack --silent --pack-destination "$$tmp" '$(ASYNCAPI_SPECS_PACKAGE)' >/dev/null; \
	tar -xzf "$$tmp"/*.tgz -C "$$tmp"; \
	cp "$$tmp"/package/schemas/'3.0.0-without-$$id.json' $(ASYNCAPI_SCHEMA)
	$(VENV)/bin/pytest tests/specs/test_asyncapi_valid.py

clean:
	rm -rf .venv/ .venv-*/ var/ .pytest_cache/ .mypy_cache/ .ruff_cache/ test-artifacts/ build/ dist/
	find . -path ./.git -prune -o -type d \( -name __pycache__ -o -name '*.egg-info' \) \
		-prune -exec rm -rf {} +
