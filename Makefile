# Three targets set everything up on a fresh machine: `make run`, `make test` and `make lint`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
LINT_STAMP := $(VENV)/.installed-lint
MUTATE_STAMP := $(VENV)/.installed-mutate
# pip's own progress is noise here: -qq keeps its errors only; each step says what it does.
PIP_INSTALL := $(BIN)/pip install -qq

# What `make lint` checks: everything (the hostile fixture articles are excluded in
# pyproject.toml: they are binary or latin-1 on purpose, and ruff reads Markdown too).
LINT_PATHS := reader tests benchmarks

.PHONY: run test test-fast test-deep lint mutate bench clean

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

$(MUTATE_STAMP): $(TEST_STAMP)
	@echo "installing the mutation tester (mutmut)…"
	@$(PIP_INSTALL) -e '.[test,mutate]'
	@touch $@

run: $(STAMP)
	@echo "starting the reader on sample_feed"
	@$(BIN)/reader sample_feed

# Four workers on two cores: most of the time goes to app (Pilot) tests, and each of those
# spends about half its wall time asleep in Textual's idle checks (a 20 ms sleep after every
# key and pause), so two more workers fill those gaps instead of leaving a core idle.
test: $(TEST_STAMP)
	$(BIN)/pytest -q -n 4

# For the edit-test loop (about a minute on two cores): the core and command-line tests,
# without the slow ones (a real browser, processes killed on purpose; see pyproject.toml), with
# a fifth of the property tests' examples (the `fast` profile, tests/examples.py).
test-fast: $(TEST_STAMP)
	$(BIN)/pytest -q -n 2 -m "not slow" --hypothesis-profile=fast tests/core tests/test_cli*.py \
		tests/test_code_shape.py

# Ten times the property tests' examples (the `deep` Hypothesis profile, tests/examples.py):
# for a nightly-style run that can afford the time.
test-deep: $(TEST_STAMP)
	$(BIN)/pytest -q -n 2 --hypothesis-profile=deep

# Mutation testing of the modules named under [tool.mutmut] in pyproject.toml, each against its
# fast tests; slow (tens of minutes on two cores), so not in CI. It resumes where it stopped and
# retests only what changed. Then the score per module; `$(BIN)/mutmut results` lists the
# survivors, `$(BIN)/mutmut show NAME` shows one.
mutate: $(MUTATE_STAMP)
	$(BIN)/mutmut run --max-children 2
	@$(BIN)/mutmut results --all true | awk '{ module = $$1; sub(/\.x.*/, "", module); \
		all[module]++; if ($$2 == "killed" || $$2 == "timeout") caught[module]++ } END { \
		for (module in all) printf "%-28s %4d of %4d mutants caught (%.0f%%)\n", module, \
		caught[module], all[module], 100 * caught[module] / all[module] }' | sort

lint: $(LINT_STAMP)
	$(BIN)/ruff format --check $(LINT_PATHS)
	$(BIN)/ruff check $(LINT_PATHS)
	$(BIN)/mypy --strict $(LINT_PATHS)

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_query.py

clean:
	rm -rf $(VENV) build dist *.egg-info mutants
