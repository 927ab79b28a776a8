# Marsad: the two set-up commands are `make demo` and `make test`; both build .venv first.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
DEMO_DIR := demo-output
EVAL_DIR ?= ../shared/eval

.PHONY: install demo test lint format bench clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[dev]"
	touch $(STAMP)

demo: install
	rm -rf $(DEMO_DIR) && mkdir -p $(DEMO_DIR)
	$(BIN)/python -m marsad.demo --db $(DEMO_DIR)/marsad.db --out $(DEMO_DIR) examples/reports

test: install
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/ruff format --check src tests benchmarks scripts
	$(BIN)/mypy

format: install
	$(BIN)/ruff check --fix src tests benchmarks scripts
	$(BIN)/ruff format src tests benchmarks scripts

bench: install
	$(BIN)/python benchmarks/ingest.py
	$(BIN)/python benchmarks/extract.py
	$(BIN)/python benchmarks/resolve.py
	$(BIN)/python benchmarks/export.py --rows 1000000
	$(BIN)/python benchmarks/api.py
	$(BIN)/python benchmarks/accuracy.py $(EVAL_DIR) --gold eval/gold/gold.jsonl

clean:
	rm -rf $(VENV) $(DEMO_DIR) .pytest_cache .mypy_cache .ruff_cache
