# Two commands set up a fresh machine: `make run` starts the bot, `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP_RUN := $(VENV)/.installed-run
STAMP_DEV := $(VENV)/.installed-dev

.PHONY: run test lint format bench bench-quick check commands readme clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP_RUN): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(STAMP_DEV): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(STAMP_RUN)

run: $(STAMP_RUN)
	$(BIN)/python -m bot

test: $(STAMP_DEV)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

lint: $(STAMP_DEV)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP_DEV)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(STAMP_DEV)
	$(BIN)/python -m bench

bench-quick: $(STAMP_DEV)
	$(BIN)/python -m bench --quick

check: $(STAMP_RUN)
	$(BIN)/python -m bot check

commands: $(STAMP_RUN)
	$(BIN)/python -m bot commands

readme: $(STAMP_RUN)
	$(BIN)/python docs/build_readme.py

clean:
	rm -rf $(VENV) build *.egg-info
