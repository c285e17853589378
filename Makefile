# govsim: `make study` sets up and runs the main study; `make test` sets up and runs the tests.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
STUDY  ?= scenarios/hongjiang_hall.yaml

.PHONY: setup study test test-fast bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,bench,cluster]'
	touch $(STAMP)

setup: $(STAMP)

# --force: the study replaces its own earlier results (a plain `govsim run` refuses to)
study: setup
	$(BIN)/govsim run $(STUDY) --force

# the whole suite, statistical checks against queueing theory included
test: setup
	$(BIN)/python -m pytest

# everyday loop: skips the long statistical checks
test-fast: setup
	$(BIN)/python -m pytest -m "not statistical"

bench: setup
	$(BIN)/python benchmarks/mmc_speed.py
	$(BIN)/python benchmarks/parallel_speedup.py
	$(BIN)/python benchmarks/hall_speed.py
	$(BIN)/python benchmarks/hall_phases.py
	$(BIN)/python benchmarks/memory_scaling.py
	$(BIN)/python benchmarks/dask_projection.py

clean:
	rm -rf $(VENV) results build src/*.egg-info .pytest_cache .hypothesis
