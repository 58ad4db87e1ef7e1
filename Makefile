# One command sets up and runs: `make demo`, `make test`, `make bench`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
DEMO_FILES ?= corpora/samples/ramavtal-stadtjanster.txt corpora/samples/cuad_service_atmosenergy.pdf

.PHONY: setup demo test lint eval bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/contractcheck check --explain --fail-on never $(DEMO_FILES)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The regression floor: presence macro-F1 on the held-out test corpus (see README, Accuracy).
EVAL_FLOOR ?= 0.85

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest -q
	$(BIN)/contractcheck eval corpora/test --no-disagreements --min-f1 $(EVAL_FLOOR) > /dev/null

eval: $(STAMP)
	$(BIN)/contractcheck eval corpora/dev corpora/test --no-disagreements

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_ingest.py
	$(BIN)/python benchmarks/bench_check.py
	$(BIN)/python benchmarks/bench_audit.py

clean:
	rm -rf $(VENV) .bench build *.egg-info .pytest_cache .ruff_cache
