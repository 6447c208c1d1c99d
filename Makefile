# motcua — make targets list themselves: run `make` or `make help`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export MOTCUA_INSTANCE ?= $(CURDIR)/instance

.DEFAULT_GOAL := help

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

$(STAMP): setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	touch $(STAMP)

install: $(STAMP) ## create .venv and install the package with its test tools

# The modeler's bundle (web/src -> web/static/build/, git-ignored), built with esbuild from the
# exact versions of web/package-lock.json; nothing is fetched by the browser at run time.
WEB := web
WEB_BUILD := $(WEB)/static/build
WEB_MODULES := $(WEB)/node_modules/.package-lock.json
WEB_STAMP := $(WEB_BUILD)/.built
WEB_SOURCES := $(shell find $(WEB)/src -type f 2>/dev/null)
ESBUILD := $(WEB)/node_modules/.bin/esbuild
# One bundle per page that needs one: the modeler, the form designer, the version diff.
WEB_ENTRIES := $(wildcard $(WEB)/src/modeler.js $(WEB)/src/formdesigner.js $(WEB)/src/diff.js)

$(WEB_MODULES): $(WEB)/package.json $(WEB)/package-lock.json
	cd $(WEB) && npm ci --no-audit --no-fund --loglevel=error
	@# esbuild's binary comes in an optional per-platform package: fail here, not mid-build.
	@$(ESBUILD) --version >/dev/null || { echo "esbuild binary missing after npm ci" >&2; exit 1; }
	touch $@

$(WEB_STAMP): $(WEB_MODULES) $(WEB_SOURCES)
	rm -rf $(WEB_BUILD)
	$(ESBUILD) $(WEB_ENTRIES) --bundle --minify --format=esm --target=es2020 \
	  --loader:.eot=file --loader:.svg=file --loader:.woff=file --loader:.woff2=file \
	  --loader:.ttf=file --asset-names=[name]-[hash] --outdir=$(WEB_BUILD) --log-level=warning
	touch $@

web: $(WEB_STAMP) ## build the modeler's bundle when its sources or packages changed

run: install web ## install, load the demo province into SQLite and serve it on http://127.0.0.1:8000, with the worker
	bash .ci/system-packages runtime
	MOTCUA_DEV=1 $(BIN)/motcua db upgrade
	MOTCUA_DEV=1 $(BIN)/motcua demo
	@# The worker fires timers and marks overdue tasks; it stops when serve does (Ctrl-C too).
	@export MOTCUA_DEV=1; \
	$(BIN)/motcua worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT; \
	trap 'exit 130' INT TERM; \
	$(BIN)/motcua serve --host 127.0.0.1 --port 8000

system-packages: ## Debian packages for browser tests and PDFs (chromium, pango, fonts)
	bash .ci/system-packages

test: install system-packages web ## install, lint, and run the whole suite (SQLite, and PostgreSQL when reachable)
	$(BIN)/ruff check platform tests bench
	$(BIN)/mypy
	$(BIN)/pytest -n 2 --dist loadfile

lint: install ## ruff and mypy
	$(BIN)/ruff check platform tests bench
	$(BIN)/mypy

bench: install web ## benchmarks: raw SpiffWorkflow vs our HTTP API, worklist at scale
	$(BIN)/python bench/run.py

bench-design: install web ## the designer's benchmarks: generation, checks, modeler opening, test run, diff, foreign files
	$(BIN)/python bench/generate.py
	$(BIN)/python bench/check_large.py
	$(BIN)/python bench/modeler_open.py
	$(BIN)/python bench/simulate.py
	$(BIN)/python bench/diff.py
	$(BIN)/python bench/miwg_open.py

bench-audit: install ## the audit's benchmarks at 1,000,000 dossiers: search, indicators, audit verify
	$(BIN)/python bench/audit.py

clean: ## remove the virtualenv and local data
	rm -rf $(VENV) instance .pytest_cache .mypy_cache .ruff_cache $(WEB)/node_modules $(WEB_BUILD)

.PHONY: help install web system-packages run test lint bench bench-design bench-audit clean
