# Three targets set everything up on a fresh machine: `make run`, `make test` and `make lint`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
LINT_STAMP := $(VENV)/.installed-lint
# pip's own progress is noise here: -qq keeps its errors only; each step says what it does.
PIP_INSTALL := $(BIN)/pip install -qq

# What `make lint` checks: everything (the hostile fixture articles are excluded in
# pyproject.toml: they are binary or latin-1 on purpose, and ruff reads Markdown too).
LINT_PATHS := reader tests benchmarks

.PHONY: run test lint bench clean

$(BIN)/python:
	@echo "creating $(VENV)…"
	@$(PYTHON) -m venv $(VENV)
	@$(PIP_INSTALL) --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	@echo "installing reader and its dependencies (about a minute)…"
	@$(PIP_INSTALL) -e .
	@touch $@

$(TEST_STAMP): $(STAMP)
	@echo "installing the test tools…"
	@$(PIP_INSTALL) -e '.[test]'
	@touch $@

# mypy checks the tests' calls into pytest and hypothesis too, so lint needs the test extra.
$(LINT_STAMP): $(TEST_STAMP)
	@echo "installing the lint tools (ruff, mypy)…"
	@$(PIP_INSTALL) -e '.[test,lint]'
	@touch $@

run: $(STAMP)
	@echo "starting the reader on sample_feed"
	@$(BIN)/reader sample_feed

# Two workers: the machine has two cores and most of the time goes to app tests.
test: $(TEST_STAMP)
	$(BIN)/pytest -q -n 2

lint: $(LINT_STAMP)
	$(BIN)/ruff format --check $(LINT_PATHS)
	$(BIN)/ruff check $(LINT_PATHS)
	$(BIN)/mypy --strict $(LINT_PATHS)

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_query.py

clean:
	rm -rf $(VENV) build dist *.egg-info
