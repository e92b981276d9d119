# Two commands do all setup on a fresh machine with python3 and make:
#   make demo   create .venv, install, run the headline scenario, print where results are
#   make test   install the test extras, lint and type-check, run the whole suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP_RUN := $(VENV)/.installed-run
STAMP_TEST := $(VENV)/.installed-test
DEMO_SCENARIO ?= scenarios/jakarta/okotrip-2018.yaml
DEMO_OUT := results/okotrip-2018-$(shell date +%Y%m%d-%H%M%S)

.PHONY: demo test venv clean bench golden notebooks

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP_RUN): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(STAMP_TEST): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP_RUN) $@

venv: $(STAMP_RUN)

demo: $(STAMP_RUN)
	$(BIN)/otrip-sim run $(DEMO_SCENARIO) --out $(DEMO_OUT)
	@echo "Open the plots in $(DEMO_OUT)/plots and the tables in $(DEMO_OUT)/ (summary.json, operators.csv, ...)."

# test: lint and type-check first (ruff and mypy, pinned in the test extra), then the suite
test: $(STAMP_TEST)
	$(BIN)/ruff check otrip_sim tests
	$(BIN)/mypy
	$(BIN)/python -m pytest -q

# golden: rewrite tests/golden/*.json from the current code; only in a commit that changes
# outputs on purpose and says why (tests/test_golden.py fails on any other change)
golden: $(STAMP_TEST)
	$(BIN)/python -m tests.golden.snapshot

# notebooks: install JupyterLab (the `notebooks` extra) into .venv and say how to open notebooks/;
# not part of `make test`, whose extra runs the notebooks without Jupyter's interface
notebooks: | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[notebooks]'
	touch $(STAMP_RUN)
	@echo "Start Jupyter with: $(BIN)/jupyter lab notebooks/"
	@echo "(each notebook sets its sample at the top; CI=true runs a smaller one)"

bench: $(STAMP_RUN)
	$(BIN)/python benchmarks/run_examples.py

clean:
	rm -rf $(VENV) results .pytest_cache .hypothesis
