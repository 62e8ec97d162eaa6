# credsim: `make run` and `make test` set everything up on a fresh machine.
# They create .venv with a Python >= 3.12 that actually runs, install the
# pinned versions from constraints.txt, then do their job.

SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# The first interpreter >= 3.12 that runs: PYTHON if given, python3.12,
# python3.13, python3, then pyenv's own installs (whose shims only run with
# PYENV_VERSION set).
define FIND_PYTHON
for p in $(PYTHON) python3.12 python3.13 python3 \
         $$(ls -d $${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.1[2-9]*/bin/python3 2>/dev/null); do \
  if command -v $$p >/dev/null 2>&1 && \
     $$p -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; then \
    command -v $$p; exit 0; \
  fi; \
done; echo "no Python >= 3.12 found: install python3.12 (Mesa 3.5 needs it)" >&2; exit 1
endef

.PHONY: all run test test-fast bench lint format clean venv findings calibrate

all: test

$(STAMP): pyproject.toml constraints.txt
	@py=$$($(FIND_PYTHON)) || exit 1; \
	if [ ! -x $(BIN)/python ]; then echo "creating $(VENV) with $$py"; $$py -m venv $(VENV); fi
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[test,dask,dev,explore]"
	@touch $(STAMP)

venv: $(STAMP)

# The flagship: an experiment, its progress on the terminal, and a report.
run: $(STAMP)
	$(BIN)/credsim sweep experiments/syria_withdrawal.yaml

# Two test processes, one a core (pytest-xdist): one process took 14 min 36 s of the
# 15-minute budget on this 2-core machine, two took 7 to 9 (decision 569); the suite has
# grown since: two took 13.6 to 15.5 (2,791 tests in 818-930 s, decisions 1040-1042) and,
# in a slower hour of this host, 18 to 19.5 (2,802 tests in 1,079-1,173 s; decision 1045);
# 17 to 18.5 (2,804 tests in 1,028-1,116 s, decision 1048). A third process gains nothing.
#
# The suite writes Python's bytecode caches (`__pycache__`, ignored by git, where numba's
# cache already is) even where PYTHONDONTWRITEBYTECODE is set, as it is on the machine
# CI runs on: without them each test process compiles every test module's rewritten
# asserts again (collection 20.9 s against 9.5 s) and each command a test starts
# compiles the package again (decision 1048).
PYTEST := PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest -q -n 2

test: $(STAMP)
	$(PYTEST)

test-fast: $(STAMP)
	$(PYTEST) -m "not slow"

# Every claim's experiment (each resumes or skips what is done), then
# docs/findings.md and docs/figures/ from their results folders.
findings: $(STAMP)
	for e in $$($(BIN)/python -m sim.findings --list); do \
	  $(BIN)/credsim sweep experiments/$$e.yaml --no-plots || exit 1; done
	$(BIN)/python -m sim.findings

# The joint calibration against the UN votes (calibrations/joint.yaml, resumable),
# then every claim under its posterior (experiments/*_posterior.yaml, draws from
# the calibration's final generation) and the cross-case experiments; under 25
# minutes on 2 cores. `make findings` then adds "Claims under the posterior" to
# docs/findings.md.
calibrate: $(STAMP)
	$(BIN)/credsim calibrate calibrations/joint.yaml --out results/calibrate/joint --votes ../shared/data/unvotes
	for e in $$($(BIN)/python -m sim.findings --list-posterior); do \
	  $(BIN)/credsim sweep experiments/$$e.yaml --no-plots || exit 1; done
	for c in syria sino_soviet afghanistan_ussr vietnam_usa egypt_ussr; do \
	  $(BIN)/credsim sweep experiments/cross_case_$$c.yaml --no-plots || exit 1; done

bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py --out benchmarks/report.json

lint: $(STAMP)
	$(BIN)/ruff check sim tests benchmarks
	$(BIN)/ruff format --check sim tests benchmarks
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff format sim tests benchmarks
	$(BIN)/ruff check --fix sim tests benchmarks

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
