# Two commands set everything up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
DEMO_DATA ?= $(CURDIR)/var/demo

.PHONY: install demo test check-install lint bench clean pg-rum

$(BIN)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "caunoi needs Python >= 3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@

install: $(BIN)/.installed

demo: install
	@# the sample registry of outlets, recognise-only (nothing is polled): each article is known by its outlet's
	@# domain, with the outlet's origin and country (domestic, foreign, diaspora, international)
	CAUNOI_DATA=$(DEMO_DATA) $(BIN)/caunoi sources import --sample --disabled
	CAUNOI_DATA=$(DEMO_DATA) $(BIN)/caunoi ingest demo/data/vi-news-unc/docs demo/data/vi-news-unc/window demo/data/vi-news-unc/xling
	@# foreign coverage of the same events: U.S. Government, Kremlin, French and Indonesian texts (demo/data/foreign/SOURCE.md)
	CAUNOI_DATA=$(DEMO_DATA) $(BIN)/caunoi ingest demo/data/foreign/foreign.jsonl
	@# the 60 real pages come in over HTTP: a local demo outlet with a feed and a news sitemap
	CAUNOI_DATA=$(DEMO_DATA) $(BIN)/python demo/site.py --watch
	CAUNOI_DATA=$(DEMO_DATA) $(BIN)/caunoi stats
	CAUNOI_DATA=$(DEMO_DATA) $(BIN)/caunoi search "doi ngoai" --limit 5
	@# the demo articles are from April 2021: the stories, an alert and the brief of 30 April, 08:00
	@# --rebuild: the foreign texts came in after the Vietnamese ones had moved the stories' clock to May;
	@# clustering the whole store again in publication order lets them meet the stories of their own days
	CAUNOI_DATA=$(DEMO_DATA) $(BIN)/caunoi stories --rebuild --since 2021-04-28 --min-articles 2 --limit 8
	CAUNOI_DATA=$(DEMO_DATA) $(BIN)/caunoi stories --rising --at 2021-04-30T08:00 --all --limit 5
	@# the foreign press on Viet Nam in the same store (languages en,vi in the stories above: one event, both sides)
	CAUNOI_DATA=$(DEMO_DATA) $(BIN)/caunoi search Vietnam --origin foreign --sort date --limit 5
	CAUNOI_DATA=$(DEMO_DATA) $(BIN)/caunoi alerts rule-add "Covid-19 tăng" --kind volume_spike --query covid --replace
	CAUNOI_DATA=$(DEMO_DATA) $(BIN)/caunoi alerts rule-add "Câu chuyện đang tăng" --kind rising_story --replace
	CAUNOI_DATA=$(DEMO_DATA) $(BIN)/caunoi alerts run --at 2021-04-30T08:00
	CAUNOI_DATA=$(DEMO_DATA) $(BIN)/caunoi brief --since 24h --at 2021-04-30T08:00 --out $(DEMO_DATA)/brief.html
	@# the missions' half: Viet Nam's missions and units, and an illustrative April 2021 of campaigns,
	@# packs, products and activities (demo/data/outreach/README.md)
	CAUNOI_DATA=$(DEMO_DATA) $(BIN)/python demo/outreach.py
	@# and the coverage two real activities of April 2021 earned in the demo corpus, as confirmed
	CAUNOI_DATA=$(DEMO_DATA) $(BIN)/caunoi activities coverage bng-2021-04-29-hop-bao-thuong-ky --stored
	@# a demo login for the web UI (a local demo store only: the password is printed below)
	@CAUNOI_DATA=$(DEMO_DATA) $(BIN)/caunoi users list --json | grep -q '"username": "analyst"' || \
	  echo "cau-noi-demo-2026" | CAUNOI_DATA=$(DEMO_DATA) $(BIN)/caunoi users add analyst --role analyst \
	    --name "Chuyên viên (demo)" --password-stdin --by demo
	@echo
	@echo "The demo store is in $(DEMO_DATA). Try:"
	@echo "  export CAUNOI_DATA=$(DEMO_DATA)"
	@echo "  $(BIN)/caunoi search '\"bien Dong\" OR ASEAN' --sort date"
	@echo "  $(BIN)/caunoi show 1"
	@echo "  $(BIN)/caunoi search Vietnam --origin foreign --sort date    # the foreign press on Viet Nam, any spelling"
	@echo "  $(BIN)/caunoi story 1; $(BIN)/caunoi alerts list; $(BIN)/caunoi alerts show ID    # why it was raised"
	@echo "  open $(DEMO_DATA)/brief.html    # the morning brief (điểm tin) of 30/4/2021"
	@echo "  $(BIN)/caunoi activities coverage bng-2021-04-29-hop-bao-thuong-ky    # what the briefing earned"
	@echo "  $(BIN)/caunoi evaluate --unit BNG-TTBC --from 2021-04-01 --to 2021-04-30    # its April, AMEC chain"
	@echo "  $(BIN)/caunoi report review --from 2021-04-01 --to 2021-04-30 --out bao-cao.pdf    # the review report (.docx too)"
	@echo "  $(BIN)/caunoi serve    # then http://127.0.0.1:8000/  login: analyst / cau-noi-demo-2026"
	@echo "    (/stories?rising=1&at=2021-04-30T08:00: the rising stories; /alerts: each alert's page says why;"
	@echo "     /?origin=foreign&from=2021-04-01&to=2021-08-31: the dashboard of the foreign press)"
	@echo "  $(BIN)/caunoi sources import --sample && $(BIN)/caunoi watch    # real outlets (needs internet)"

test: install
	$(BIN)/pytest -q

# PostgreSQL's rum extension on the local server (search reads its best matches in rank order);
# skips, saying why, where it cannot (no apt-get, a remote server, not root)
pg-rum:
	tools/pg_rum.sh

# a fresh venv with the system's own Python and pip, `pip install .` without extras, ingest and search
check-install:
	tools/check_install.sh

lint: install
	$(BIN)/ruff check caunoi tests benchmarks tools
	$(BIN)/ruff format --check caunoi tests benchmarks tools

bench: install
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) var .pytest_cache
