# recoup: two commands for a fresh clone.
#   make demo   creates .venv, installs recoup, builds a demo ledger on SQLite and prints the aging report
#   make test   installs the dev tools and runs lint, type checks and the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test lint bench clean fonts chromium

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
	@if command -v fc-list >/dev/null 2>&1 && fc-list | grep -qi "Noto Sans CJK" && command -v pdftoppm >/dev/null 2>&1 \
	  && ldconfig -p | grep -q libharfbuzz-subset; then :; \
	elif command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	  apt-get install -y -q fonts-noto-cjk poppler-utils libharfbuzz-subset0 >/dev/null 2>&1 \
	  || echo "note: could not install fonts-noto-cjk poppler-utils libharfbuzz-subset0"; \
	else echo "note: install fonts-noto-cjk, poppler-utils and libharfbuzz-subset0 for Korean letters, PDF previews and fast PDF fonts"; fi

$(VENV)/.dev: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	touch $@

demo: $(VENV)/.installed
	$(BIN)/recoup demo

lint: $(VENV)/.dev
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy

# The browser tests (tests/browser) drive Debian's Chromium with Playwright. Installed when apt-get can
# (root on Debian); otherwise they are skipped with a note (and fail when CI is set).
chromium:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	  { apt-get install -y -q chromium >/dev/null 2>&1 || { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q chromium >/dev/null 2>&1; }; } \
	  || echo "note: could not install chromium"; \
	else echo "note: install Debian's chromium for the browser tests (tests/browser)"; fi

test: lint chromium
	$(BIN)/python -m pytest

bench: $(VENV)/.dev
	$(BIN)/python bench/ledger_bench.py --invoices 1000000 --db both

clean:
	rm -rf $(VENV) recoup-demo.db test-output
