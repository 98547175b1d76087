# Building Deep Learning Systems: every target installs what it needs first.
#   make run    execute every notebook (full mode; DLS_FAST=1 for fast) and print the results table
#   make test   unit tests for utils, then every notebook under nbval in fast mode
#   make data   download every data set and weights file into data/ (verified)
#   make lab    JupyterLab on notebooks/
#   make install  only the environment: .venv, utils editable, Jupyter kernel "dls"

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
KERNEL := dls
NOTEBOOKS ?=

.PHONY: install lab run test unit nbval data clean

install: $(STAMP)

$(STAMP): requirements.txt requirements.lock pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit("Python 3.11 or newer is needed, this is " + sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt -c requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	$(BIN)/python -m ipykernel install --user --name $(KERNEL) --display-name "Python (dls)" >/dev/null
	touch $(STAMP)

lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/

run: $(STAMP)
	$(BIN)/python -m utils.runner $(NOTEBOOKS)

test: unit nbval

unit: $(STAMP)
	MPLBACKEND=Agg $(BIN)/python -m pytest tests

# -x: the first failure ends the run (without data, the first notebook stops it with the one clear message)
nbval: $(STAMP)
	DLS_FAST=1 $(BIN)/python -m pytest -x --nbval-lax --nbval-current-env \
		--nbval-cell-timeout=900 --durations=15 \
		$(if $(NOTEBOOKS),$(addprefix notebooks/,$(addsuffix .ipynb,$(NOTEBOOKS))),notebooks/)

data: $(STAMP)
	$(BIN)/python -m utils.data

clean:
	rm -rf build .pytest_cache
