# The two commands a fresh machine needs: `make serve` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
NZSA := $(VENV)/bin/nzsa

.PHONY: install system-deps serve validate build test lint format

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

# Debian packages the tests need, installed only when missing: Chromium for the browser
# tests; Apache httpd (apache2-bin: the server and its modules, no system service) for the
# w3id.org redirects.
system-deps:
	@command -v chromium >/dev/null && [ -x /usr/sbin/apache2 ] || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium apache2-bin; }

serve: install
	$(NZSA) serve

validate: install
	$(NZSA) validate

build: install
	$(NZSA) build --out build

lint: install
	$(VENV)/bin/ruff check server tests bench
	$(VENV)/bin/ruff format --check server tests bench

format: install
	$(VENV)/bin/ruff check --fix server tests bench
	$(VENV)/bin/ruff format server tests bench

test: install system-deps lint
	$(NZSA) validate
	$(VENV)/bin/pytest
