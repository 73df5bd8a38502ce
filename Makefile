# Two entry points (see README): `make run` cleans seeds/ into reports/, `make test`
# runs the test suite. Both create .venv and install what they need on first use;
# running them again reuses it.
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
# The CPU build of PyTorch must be installed before anything that depends on it,
# or pip pulls a CUDA build of several GB.
TORCH  := torch==2.13.0

.PHONY: run test lint bench install

install: $(STAMP)

$(STAMP): pyproject.toml Makefile
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check $(TORCH)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@# Thesauri for the spinner and proposer (Debian packages); skipped when present or without apt-get.
	@if command -v apt-get >/dev/null 2>&1 && { [ ! -f /usr/share/wordnet/data.noun ] || [ ! -f /usr/share/mythes/th_en_US_v2.dat ]; }; then \
		{ apt-get update -qq && apt-get install -y -qq wordnet-base mythes-en-us; } \
		|| echo "warning: could not install wordnet-base mythes-en-us; those thesauri stay unavailable" >&2; \
	fi
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
