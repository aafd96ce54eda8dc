# privtune — two commands on a fresh machine:
#   make demo   run the main job on bundled defaults
#   make test   run the test suite
# Each bootstraps .venv itself (re-run only when pyproject.toml changes).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: demo test test-slow bench clean

$(VENV): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	# torch first, pinned: that version is on the machine as a local CPU build; any other spec
	# pulls several GB of CUDA wheels.
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e '.[dev]'
	touch $(VENV)

# The whole story (13-15 minutes on 2 quiet CPU cores, measured; longer on a busy machine; the base
# model, 1.5 min of it, is cached after the first run).
demo: $(VENV)
	$(BIN)/privtune demo --out demo_out

test: $(VENV)
	$(BIN)/python -m pytest -q

test-slow: $(VENV)
	$(BIN)/python -m pytest -m slow

clean:
	rm -rf demo_out .pytest_cache build *.egg-info
