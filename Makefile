# One venv under .venv; every target builds what it needs on demand. `make run` installs only
# what serving needs; the test targets add the test toolchain (pytest, playwright, mypy, ruff,
# the Vonage SDK...) on top. Each install has its own stamp, redone when pyproject.toml changes.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUN_STAMP := $(VENV)/.installed-run
TEST_STAMP := $(VENV)/.installed-test

.PHONY: run test check lint types imports clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(RUN_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

# The test extra includes everything serving needs, so it also stands for the run stamp.
$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(RUN_STAMP) $@

run: $(RUN_STAMP)
	$(BIN)/nexmo-sandbox serve $(ARGS)

test: $(TEST_STAMP)
	$(BIN)/python -m pytest -q $(ARGS)

lint: $(TEST_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

types: $(TEST_STAMP)
	$(BIN)/mypy

imports: $(TEST_STAMP)
	$(BIN)/lint-imports

check: lint types imports test

clean:
	rm -rf $(VENV)
