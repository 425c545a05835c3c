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

# Debian packages the tests need, installed only when missing: chromium (browser tests),
# Apache httpd (apache2-bin: the server and its modules, no system service) for the
# w3id.org redirects, virtuoso-opensource (the remote store's engine) and nginx (the
# scale-out deployment).
system-deps:
	@missing=""; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	[ -x /usr/sbin/apache2 ] || missing="$$missing apache2-bin"; \
	command -v virtuoso-t >/dev/null || missing="$$missing virtuoso-opensource"; \
	command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing="$$missing nginx"; \
	if [ -n "$$missing" ]; then \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 \
	    install -y -qq $$missing; \
	fi

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
	$(NZSA) fmt --check
	$(VENV)/bin/pytest
