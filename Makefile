# Two entry points (see README): `make run` cleans seeds/ into reports/, `make test`
# runs the test suite. Both create .venv and install what they need on first use;
# running them again reuses it.
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
# The CPU build of PyTorch must be installed before anything that depends on it,
# or pip pulls a CUDA build of several GB.
TORCH  := torch==2.13.0

.PHONY: run test lint bench bench-quick install

install: $(STAMP)

$(STAMP): pyproject.toml Makefile
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check $(TORCH)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@# Debian packages: thesauri for the spinner and proposer, headless Chromium for the
	@# report-page browser tests. Installed only when missing and apt-get exists.
	@missing=""; \
	for f in /usr/share/wordnet/data.noun:wordnet-base /usr/share/mythes/th_en_US_v2.dat:mythes-en-us \
	         /usr/bin/chromium:chromium /usr/bin/chromedriver:chromium-driver; do \
	  [ -e "$${f%%:*}" ] || missing="$$missing $${f##*:}"; \
	done; \
	if [ -n "$$missing" ] && command -v apt-get >/dev/null 2>&1; then \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; } \
	  || echo "warning: could not install$$missing" >&2; \
	fi
	@# Build the inverted thesaurus index once (about 3 minutes; cached per machine).
	$(PY) tools/build_index.py
	touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/repair clean seeds --out-dir reports/cleaned --report reports

test: $(STAMP)
	$(PY) -m pytest -q

lint: $(STAMP)
	$(VENV)/bin/ruff check repair tests tools benchmarks
	$(VENV)/bin/ruff format --check repair tests tools benchmarks

bench: $(STAMP)
	$(PY) benchmarks/run.py

bench-quick: $(STAMP)
	$(PY) benchmarks/run.py --quick
