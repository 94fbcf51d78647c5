# Tasvieh — every set-up step lives here, so a fresh Debian/Ubuntu machine needs only `make`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
export PIP_DISABLE_PIP_VERSION_CHECK := 1

# System packages (Debian names), installed only when missing. A fresh Debian 12 has no
# venv module, no C compiler and no Python headers: python-ldap compiles against libldap.
# Catalogs need gettext, the certificate PDF needs Pango, the assets need npm.
DEMO_APT := python3-venv python3-dev gcc libldap2-dev libsasl2-dev gettext \
	libpango-1.0-0 libpangoft2-1.0-0 $(if $(shell command -v npm),,nodejs npm)
# The tests also run real directory servers (OpenLDAP; Samba as an AD domain controller,
# whose provisioning needs the three samba-* packages that are only "recommended"), a real
# browser and read PDFs.
TEST_APT := $(DEMO_APT) slapd ldap-utils samba samba-ad-provision samba-dsdb-modules \
	samba-vfs-modules chromium fonts-dejavu-core poppler-utils

define apt_install
	@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if ! command -v apt-get >/dev/null; then \
	    echo "[tasvieh] no apt-get here: install these (Debian package names) and run make again:$$missing"; exit 1; fi; \
	  echo "[tasvieh] installing system packages:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi
endef

.PHONY: demo test lint check system-demo system-test venv venv-test assets messages screenshots bench loadtest clean

system-demo:
	$(call apt_install,$(DEMO_APT))

system-test:
	$(call apt_install,$(TEST_APT))

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(PIP) install -q -e '.[test]'
	touch $@

venv: system-demo $(VENV)/.installed
venv-test: system-test $(VENV)/.installed-test

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

assets: node_modules/.installed

messages: venv
	@if ls locale/*/LC_MESSAGES/*.po >/dev/null 2>&1; then \
	  $(PY) manage.py compilemessages -v0 --ignore=.venv --ignore=node_modules; fi

demo: venv assets messages
	$(PY) manage.py migrate -v0
	$(PY) manage.py seed_demo
	@# The background worker delivers queued messages beside the server; both stop together.
	$(PY) manage.py db_worker --interval 2 & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT; \
	$(PY) manage.py runserver --noreload 127.0.0.1:8000

lint: venv-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy accounts clearance persian

check: venv-test assets messages
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run

test: venv-test assets messages lint check
	$(PY) -m tests.servers.postgres $(VENV)/bin/pytest -q -rfEs $(PYTEST_ARGS)

screenshots: venv-test assets messages
	$(PY) -m tests.servers.postgres $(VENV)/bin/pytest -q tests/browser/test_screenshots.py --screenshots

# Seed a throwaway PostgreSQL (data under /tmp, removed after) with SIZE requests (1k, 10k,
# 100k) and measure every page: benchmarks/results/$(SIZE).md and .json (benchmarks/README.md).
SIZE ?= 10k
RUNS ?= 25
bench: venv-test assets messages
	$(PY) -m benchmarks.run --size $(SIZE) --runs $(RUNS)

# The load test: locust against gunicorn (production settings) on a seeded PostgreSQL at
# 10, 50 and 100 users: benchmarks/results/load-$(SIZE).md and .json.
$(VENV)/.installed-bench: pyproject.toml $(VENV)/.installed-test
	$(PIP) install -q -e '.[test,bench]'
	touch $@

loadtest: venv-test $(VENV)/.installed-bench assets messages
	$(PY) -m benchmarks.load --size $(SIZE)

clean:
	rm -rf $(VENV) node_modules staticfiles demo.sqlite3 private-media
