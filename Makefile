# casefile: the two commands are `make serve` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
INI ?= development.ini
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
PIP := $(BIN)/pip --disable-pip-version-check -q

.PHONY: install install-test serve test test-fast bench clean-var help

help:
	@echo "make serve   set up and run the demo system on its embedded database"
	@echo "make test    set up and run the whole test suite"
	@echo "make install create .venv and install casefile (idempotent)"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -U 'pip>=23' 'setuptools<82' wheel

# Re-install only when the package metadata or the pins change.
$(STAMP): $(BIN)/python setup.cfg constraints.txt setup.py
	$(PIP) install -c constraints.txt -e .
	@touch $@

$(TEST_STAMP): $(STAMP)
	$(PIP) install -c constraints.txt -e '.[test]'
	@touch $@

install: $(STAMP)

install-test: $(TEST_STAMP)

serve: install
	$(BIN)/casefile -c $(INI) init --demo
	$(BIN)/pserve $(INI)

test: install-test
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

bench: install-test
	$(BIN)/python bench/run.py
