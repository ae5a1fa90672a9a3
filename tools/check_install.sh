#!/usr/bin/env bash
# A plain install, as a new user makes one: the system's own Python and the pip it ships, a fresh
# venv, `pip install .` with no extras; then ingest a text file and an HTML page and find each by
# search. `make test` cannot see a missing dependency (the dev extras pull in more); this can.
set -euo pipefail
cd "$(dirname "$0")/.."
python=${CAUNOI_PLAIN_PYTHON:-/usr/bin/python3}
[ -x "$python" ] || python=$(command -v python3)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# a copy of the sources, so the build leaves nothing behind in the checkout
mkdir "$work/src"
cp -r caunoi pyproject.toml README.md LICENSE "$work/src/"
find "$work/src" -name __pycache__ -prune -exec rm -rf {} +
"$python" -m venv "$work/venv"
echo "plain install with $("$work/venv/bin/pip" --version | cut -d' ' -f1-2) ($("$python" --version))"
"$work/venv/bin/pip" install --quiet --disable-pip-version-check "$work/src" 2>&1 | grep -v '^WARNING: Location' || true

caunoi() { CAUNOI_DATA="$work/store" "$work/venv/bin/caunoi" "$@"; }
caunoi --help >/dev/null
caunoi ingest demo/data/vi-news-unc/docs/news_business_001.txt \
  demo/data/article-extraction-benchmark/html/042bb7b5fedab6eac7db576522b89b93904c237d344bcbe14a6a5ab7f7335856.html.gz
found() {  # a query and the number of articles it must find
  local n
  n=$(caunoi search "$1" --json | "$work/venv/bin/python" -c 'import json, sys; print(len(json.load(sys.stdin)))')
  if [ "$n" != "$2" ]; then
    echo "plain install: search $1 found $n articles, not $2" >&2
    exit 1
  fi
}
found "Vinamilk thuong hieu" 1   # the text file, found without its diacritics
found "virtual perks" 1          # the HTML page
echo "plain install works: ingest and search"
