# polycat: `make run` runs the default case, `make test` runs the whole test suite.
# Both create the project-local environment (.venv, Python 3.12) first if it is missing
# or older than pyproject.toml.

VENV    ?= .venv
PY      := $(VENV)/bin/python
STAMP   := $(VENV)/.polycat-installed
NPROCS  ?= 2
# Python 3.12: from PATH (pyenv reads .python-version), or set PYTHON=/path/to/python3.12
PYTHON  ?= $(shell command -v python3.12 2>/dev/null || command -v python3 2>/dev/null)

.PHONY: run test env lint typecheck unit mpi docs clean

env: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 12) else "polycat needs Python 3.12; found " + sys.version.split()[0] + " (set PYTHON=/path/to/python3.12)")'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/polycat run configs/default.yaml --overwrite

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests benchmarks
	$(VENV)/bin/ruff format --check src tests benchmarks

typecheck: $(STAMP)
	$(VENV)/bin/mypy

unit: $(STAMP)
	$(PY) -m pytest

mpi: $(STAMP)
	timeout 2400 $(VENV)/bin/mpiexec -n $(NPROCS) $(PY) -m mpi4py -m pytest tests/mpi -p no:cacheprovider

test: lint typecheck unit mpi

# docs/config.md is generated from the schema (tests/unit/test_config_reference.py checks it)
docs: $(STAMP)
	$(VENV)/bin/polycat schema --format markdown > docs/config.md

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
