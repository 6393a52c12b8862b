# A fresh machine needs Python 3.11+ only. `make run` starts the portal with demo data on the
# embedded default (SQLite, tasks inline) and two local OpenID Connect providers standing in for
# SURFconext and eduID; `make test` runs the checks and the test suite.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1:8000
# Credentials and emails name SITE_URL: it follows HOST unless set on its own.
SITE_URL ?= http://$(HOST)
RUN_ENV := DEBUG=true

.PHONY: run install conformance test lint format messages bench bench-more clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed

run: install
	$(RUN_ENV) SITE_URL=$(SITE_URL) $(PY) manage.py migrate --no-input
	$(RUN_ENV) SITE_URL=$(SITE_URL) $(PY) manage.py seed_demo
	$(RUN_ENV) SITE_URL=$(SITE_URL) $(PY) -m accounts.demo_provider run -- manage.py runserver $(HOST)

# Independent verifiers and axe-core for the tests (those tests are skipped when absent).
conformance:
	bash conformance/badgecheck/install.sh
	@if command -v npm >/dev/null 2>&1; then bash conformance/ob3-verifier/install.sh && bash tests/browser/axe/install.sh; \
	else echo "Node.js/npm not found: the OB 3.0 conformance and accessibility tests will be skipped"; fi

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

test: lint conformance
	$(PY) -m pytest

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Refresh the Dutch catalog from the code and compile it (needs gettext).
messages: install
	$(RUN_ENV) $(PY) manage.py makemessages -l nl --no-obsolete --ignore 'conformance/*' --ignore 'tests/*' --ignore 'bench/*'
	$(RUN_ENV) $(PY) manage.py compilemessages -l nl --ignore '.venv*' --ignore 'conformance'

# Benchmarks on PostgreSQL and Redis (both running on 127.0.0.1); figures in docs/benchmarks.md.
# `make bench`: issuing, serving and the scale run, three runs each, unattended, with a summary
# (about ten minutes on two cores). The single-credential and insights benchmarks on their own.
BENCH_RUNS ?= 3
bench: install
	$(PY) bench/run_all.py --runs $(BENCH_RUNS)

bench-more: install
	$(PY) bench/issue_rate.py --count 200
	$(PY) bench/insights_page.py --assertions 100000

clean:
	rm -rf $(VENV) var
