# Two commands set up a fresh machine: `make run` starts the bot, `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP_RUN := $(VENV)/.installed-run
STAMP_DEV := $(VENV)/.installed-dev

.PHONY: run test lock lint format bench bench-quick check commands readme clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Installs come from the lock files (exact versions with hashes), so two operators a month
# apart run the same code; `make lock` refreshes them from pyproject.toml's ranges.
$(STAMP_RUN): requirements/run.lock pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements/run.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

$(STAMP_DEV): requirements/dev.lock pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements/dev.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@ $(STAMP_RUN)

# Re-resolve the lock files with uv (installed into the venv); the next `make run` or
# `make test` sees the newer lock and reinstalls from it.
UV_COMPILE = $(BIN)/uv pip compile pyproject.toml --universal --python-version 3.11 \
	--generate-hashes --custom-compile-command "make lock" --quiet

lock: | $(BIN)/python
	$(BIN)/pip install --quiet uv
	$(UV_COMPILE) -o requirements/run.lock
	$(UV_COMPILE) --extra dev -o requirements/dev.lock

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
