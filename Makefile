# One command for each habit. `make demo` runs the site; `make test` runs the whole suite.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: help setup venv python-deps npm-deps static migrate demo test test-fast test-django6 lint format bench system-deps wheel host-test clean

help:
	@echo "make demo    set up, load demo content and serve http://127.0.0.1:8000/ with a task worker"
	@echo "make test    set up and run the whole test suite (browser tests included)"
	@echo "make lint    ruff check and format check, import and template layers"
	@echo "make host-test  install the wheel into a new Wagtail site by docs/install.md"
	@echo "make bench   run the performance benchmarks"

setup: python-deps npm-deps static migrate

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed; set PYTHON=python3.12 for example.")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

venv: $(PY)

# Reinstall only when the declared dependencies change. The "site" extra is what the
# reference site (cms/) deploys with; a host site installs the package without it.
$(VENV)/.installed: pyproject.toml setup.py | $(PY)
	$(PY) -m pip install --quiet -e ".[dev,site]"
	@touch $@

python-deps: $(VENV)/.installed

# h5p-standalone's install script only checks for yarn; nothing needs to run.
node_modules/.installed: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund
	@touch $@

npm-deps: node_modules/.installed

static: python-deps npm-deps
	$(PY) manage.py collectstatic --noinput --verbosity 0

migrate: python-deps
	$(PY) manage.py migrate --noinput --verbosity 1

demo: setup
	@scripts/serve-demo.sh "$(PY)"

system-deps:
	@scripts/system-deps.sh

test: system-deps setup
	$(PY) -m pytest --ds=cms.settings.test $(PYTEST_ARGS)

test-fast: python-deps
	$(PY) -m pytest --ds=cms.settings.test -m "not browser" $(PYTEST_ARGS)

# The same suite, browser tests aside, on Python 3.12+ with Django 6.
test-django6: npm-deps
	scripts/django6-venv.sh .venv-django6
	.venv-django6/bin/python -m pytest --ds=cms.settings.test -m "not browser" $(PYTEST_ARGS)

# Layers: Python imports (import-linter's contract in pyproject.toml), then templates and
# URL names, which can link upwards without importing anything.
lint: python-deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-logo --no-cache
	$(PY) scripts/check_template_layers.py

format: python-deps
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# The wheel a host site installs, with the H5P player inside (see setup.py), in dist/.
wheel: python-deps npm-deps
	rm -rf build
	$(PY) -m pip wheel --quiet --no-deps --wheel-dir dist .
	rm -rf build

# Build the wheel, install it into a new `wagtail start` site by following docs/install.md,
# and use that site over HTTP (needs the package index).
host-test: python-deps npm-deps
	scripts/host-install-test.sh

bench: setup
	$(PY) -m bench

clean:
	rm -rf $(VENV) .venv-django6 node_modules staticfiles test-output build dist
