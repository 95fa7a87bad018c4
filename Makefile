# Two commands for a newcomer: `make run` and `make test`. Everything they need is set
# up here, on a fresh machine, with nothing installed by hand.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

HOST ?= 127.0.0.1
PORT ?= 5000

# Debian's Chromium, driven by Playwright in tests/renderers/test_form_js.py
# (Playwright's own browser download is never used).
CHROMIUM := /usr/bin/chromium
SUDO     := $(shell [ $$(id -u) = 0 ] || echo sudo)

.PHONY: run test lint bench clean browser

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $@

# Installed only when missing.
$(CHROMIUM):
	$(SUDO) apt-get update
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium

browser: $(CHROMIUM)

run: $(STAMP)
	$(BIN)/dichvucong schemas lint schemas/
	$(BIN)/dichvucong run --host $(HOST) --port $(PORT)

test: $(STAMP) $(CHROMIUM)
	$(BIN)/python -m pytest -n 2 -q

lint: $(STAMP)
	$(BIN)/dichvucong schemas lint schemas/

bench: $(STAMP)
	$(BIN)/python bench/validation.py
	$(BIN)/python bench/forms.py
	$(BIN)/python bench/store.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
