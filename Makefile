# recoup: two commands for a fresh clone.
#   make demo   creates .venv, installs recoup, builds a demo ledger on SQLite and prints the aging report
#   make test   installs the dev tools and runs lint, type checks and the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test lint bench clean fonts

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@$(MAKE) --no-print-directory fonts
	touch $@

# Letters in Korean need Noto CJK; the tests render PDFs to PNG with pdftoppm. Installed when
# apt-get can (root on Debian); otherwise a letter names the font it misses.
fonts:
	@if command -v fc-list >/dev/null 2>&1 && fc-list | grep -qi "Noto Sans CJK" && command -v pdftoppm >/dev/null 2>&1; then :; \
	elif command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	  apt-get install -y -q fonts-noto-cjk poppler-utils >/dev/null 2>&1 || echo "note: could not install fonts-noto-cjk poppler-utils"; \
	else echo "note: install fonts-noto-cjk and poppler-utils for Korean letters and PDF previews"; fi

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
