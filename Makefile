# recoup: two commands for a fresh clone.
#   make demo   creates .venv, installs recoup, builds a demo ledger on SQLite and prints the aging report
#   make test   installs the dev tools and runs lint, type checks and the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.dev: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	touch $@

demo: $(VENV)/.installed
	$(BIN)/recoup demo

lint: $(VENV)/.dev
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy

test: lint
	$(BIN)/python -m pytest

bench: $(VENV)/.dev
	$(BIN)/python bench/ledger_bench.py --invoices 1000000 --db both

clean:
	rm -rf $(VENV) recoup-demo.db test-output
