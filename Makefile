# Two commands set everything up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
DEMO_DATA ?= $(CURDIR)/var/demo

.PHONY: install demo test lint bench clean

$(BIN)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "caunoi needs Python >= 3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@

install: $(BIN)/.installed

demo: install
	CAUNOI_DATA=$(DEMO_DATA) $(BIN)/caunoi ingest demo/data/vi-news-unc/docs
	@# the 60 real pages come in over HTTP: a local demo outlet with a feed and a news sitemap
	CAUNOI_DATA=$(DEMO_DATA) $(BIN)/python demo/site.py --watch
	CAUNOI_DATA=$(DEMO_DATA) $(BIN)/caunoi stats
	CAUNOI_DATA=$(DEMO_DATA) $(BIN)/caunoi search "doi ngoai" --limit 5
	@echo
	@echo "The demo store is in $(DEMO_DATA). Try:"
	@echo "  export CAUNOI_DATA=$(DEMO_DATA)"
	@echo "  $(BIN)/caunoi search '\"bien Dong\" OR ASEAN' --sort date"
	@echo "  $(BIN)/caunoi show 1"
	@echo "  $(BIN)/caunoi sources import --sample && $(BIN)/caunoi watch    # real outlets (needs internet)"

test: install
	$(BIN)/pytest -q

lint: install
	$(BIN)/ruff check caunoi tests benchmarks tools
	$(BIN)/ruff format --check caunoi tests benchmarks tools

bench: install
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) var .pytest_cache
