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

.PHONY: run test fuzz lint bench clean browser print-deps services

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $@

# The interface's translations (web/translations/*/LC_MESSAGES/messages.po), compiled
# for Flask-Babel; the .mo files are not kept in git.
TRANSLATIONS := $(patsubst %.po,%.mo,$(wildcard web/translations/*/LC_MESSAGES/messages.po))

$(TRANSLATIONS): %.mo: %.po | $(STAMP)
	$(BIN)/pybabel compile -i $< -o $@

# Installed only when missing.
$(CHROMIUM):
	$(SUDO) apt-get update
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium

# axe-core, the accessibility rules tests/e2e runs on every page it visits: from the npm
# registry into .cache/axe (git-ignored), only when missing. Node.js and npm come with the
# machine; Debian's npm is installed if they do not.
AXE := .cache/axe/node_modules/axe-core/axe.min.js

$(AXE):
	command -v npm >/dev/null || { $(SUDO) apt-get update && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends npm; }
	npm install --no-save --no-audit --no-fund --prefix .cache/axe axe-core@4

browser: $(CHROMIUM) $(AXE)

# Debian's nginx, which tests/deploy/test_nginx.py starts unprivileged (its own prefix,
# config and ports) in front of a real `dichvucong run`, with deploy/nginx.conf; and
# openssl, for that test's certificate. Installed only when missing. The package's own
# service (port 80) is not wanted on a developer's machine: it is stopped and disabled
# where systemd runs (a container's policy-rc.d never starts it).
NGINX := /usr/sbin/nginx

$(NGINX):
	$(SUDO) apt-get update
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nginx openssl
	if [ -d /run/systemd/system ]; then $(SUDO) systemctl disable --now nginx; fi

# Printing (renderers/pdf.py): Liberation Serif, metric-compatible with Times New Roman
# and complete for Vietnamese; HarfBuzz's subsetter (without it WeasyPrint subsets fonts
# with fontTools, 2-3x slower; a test fails); Pango for WeasyPrint. Installed only when missing.
PRINT_PACKAGES := fonts-liberation2 libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0

print-deps:
	@missing="$$(for p in $(PRINT_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null \
		| grep -q '^install ok installed$$' || echo $$p; done)"; \
	if [ -n "$$missing" ]; then \
		$(SUDO) apt-get update && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $$missing; \
	fi

# The servers some tests talk to (DESIGN: real services, not mocks): PostgreSQL on
# 127.0.0.1:5432 with the database `test` (the PostgreSQL backend's conformance tests) and
# Redis on 127.0.0.1:6379 (rate limits shared by workers). This machine runs both; each is
# started here only when it is installed but not answering, and the test database is
# created when missing. Where neither is installed, those tests fail saying so.
services:
	@pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null || { [ -d /etc/postgresql ] && \
		$(SUDO) pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql | head -1) main start; } || true
	@psql -h 127.0.0.1 -d test -Atqc 'select 1' >/dev/null 2>&1 || \
		createdb -h 127.0.0.1 test 2>/dev/null || true
	@redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 || { command -v redis-server >/dev/null && \
		$(SUDO) redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no; } || true

# `dichvucong demo` creates the demo accounts (once) and prints their passwords;
# `dichvucong run` prints where e-mail goes (instance/outbox/ and the console by default)
# and serves through gunicorn (web/server.py): DVC_WORKERS processes of DVC_THREADS
# threads (2 x 4). `dichvucong run --dev` is Flask's reloading development server.
run: $(STAMP) $(TRANSLATIONS) print-deps
	$(BIN)/dichvucong schemas lint schemas/
	$(BIN)/dichvucong demo
	$(BIN)/dichvucong run --host $(HOST) --port $(PORT)

test: $(STAMP) $(TRANSLATIONS) $(CHROMIUM) $(AXE) $(NGINX) print-deps services
	$(BIN)/python -m pytest -n 2 -q --durations=15

# The fuzz suite of tests/fuzz (hostile requests to every form, desk action, account form,
# the lookup and the definition upload, on both back ends) with far more examples than the
# 4 a test that `make test` draws: 300 a test sent 24,730 requests in 10 min 19 s on 2 cores.
FUZZ_EXAMPLES ?= 300

fuzz: $(STAMP) $(TRANSLATIONS) print-deps services
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest -n 2 -q tests/fuzz

lint: $(STAMP)
	$(BIN)/dichvucong schemas lint schemas/

# wrk (Debian's package) drives bench/web.py's load; installed only when missing.
WRK := /usr/bin/wrk

$(WRK):
	$(SUDO) apt-get update
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends wrk

bench: $(STAMP) $(TRANSLATIONS) print-deps $(WRK)
	$(BIN)/python bench/validation.py
	$(BIN)/python bench/forms.py
	$(BIN)/python bench/store.py
	$(BIN)/python bench/pdf.py
	$(BIN)/python bench/web.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
