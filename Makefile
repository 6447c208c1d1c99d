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

run: install ## install, load the demo province into SQLite and serve it on http://127.0.0.1:8000, with the worker
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

test: install system-packages ## install, lint, and run the whole suite (SQLite, and PostgreSQL when reachable)
	$(BIN)/ruff check platform tests bench
	$(BIN)/mypy
	$(BIN)/pytest -n 2 --dist loadfile

lint: install ## ruff and mypy
	$(BIN)/ruff check platform tests bench
	$(BIN)/mypy

bench: install ## benchmarks: raw SpiffWorkflow vs our HTTP API, worklist at scale
	$(BIN)/python bench/run.py

clean: ## remove the virtualenv and local data
	rm -rf $(VENV) instance .pytest_cache .mypy_cache .ruff_cache

.PHONY: help install system-packages run test lint bench clean
