# casefile: the two commands are `make serve` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
INI ?= development.ini
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
PIP := $(BIN)/pip --disable-pip-version-check -q

.PHONY: install install-test serve serve-zeo test bench i18n fonts help

help:
	@echo "make serve   set up and run the demo system on its embedded database"
	@echo "make serve-zeo  a ZEO server and WORKERS=2 casefile processes (ports 6543...)"
	@echo "make bench   the benchmark table (not part of make test)"
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

FONT := /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc

# The CJK font embedded in generated PDFs (Debian fonts-wqy-zenhei).
fonts:
	@if [ ! -e $(FONT) ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-wqy-zenhei \
	      || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-wqy-zenhei); \
	  else echo "Please install the Debian package fonts-wqy-zenhei (PDF documents need it)."; fi; \
	fi

serve: install fonts
	$(BIN)/casefile -c $(INI) init --demo
	$(BIN)/pserve $(INI)

# ZEO: one database server, several casefile processes (docs/deploy.md).
serve-zeo: install fonts
	BIN=$(BIN) INI=$(INI) deploy/serve-zeo.sh

test: install-test fonts
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

# The benchmark table (bench/run.py runs every benchmark; not in make test).
bench: install-test fonts
	$(BIN)/python bench/run.py $(BENCH_ARGS)

# Extract message ids from the package and page templates and merge them
# into the zh_CN catalogue; then translate the new (empty) entries.
i18n: install-test
	$(BIN)/pot-create -c lingua.cfg -d casefile -o casefile/locale/casefile.pot casefile templates
	$(BIN)/python -c "from babel.messages.pofile import read_po, write_po; \
	pot = read_po(open('casefile/locale/casefile.pot', 'rb')); \
	po = read_po(open('casefile/locale/zh_CN/LC_MESSAGES/casefile.po', 'rb'), locale='zh_CN'); \
	po.update(pot, no_fuzzy_matching=True); \
	write_po(open('casefile/locale/zh_CN/LC_MESSAGES/casefile.po', 'wb'), po, width=0, ignore_obsolete=True)"
