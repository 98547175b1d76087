# Building Deep Learning Systems: every target installs what it needs first.
#   make run    execute every notebook (full mode; DLS_FAST=1 for fast) and print the results table
#   make test   unit tests for utils, then every notebook under nbval in fast mode
#   make data   download every data set and weights file into data/ (verified)
#   make lab    JupyterLab on notebooks/
#   make slides one reveal.js deck per notebook in build/slides/ (needs Node.js's npm, for reveal.js)
#   make site   the course site in build/site/ (with the decks when npm is there)
#   make present  JupyterLab on copies with the slides in build/present/: present live with RISE (Alt+R)
#   make install  only the environment: .venv, utils editable, Jupyter kernel "dls"

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
KERNEL := dls
NOTEBOOKS ?=

.PHONY: install lab run test unit nbval data slides site present clean

install: $(STAMP)

$(STAMP): requirements.txt requirements.lock pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit("Python 3.11 or newer is needed, this is " + sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt -c requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	$(BIN)/python -m ipykernel install --user --name $(KERNEL) --display-name "Python (dls)" >/dev/null
	@# jupyterlab-rise pulls in a MathJax extension built for JupyterLab 3, which JupyterLab 4 has built in
	$(BIN)/jupyter labextension disable --level=sys_prefix @jupyterlab/mathjax3-extension >/dev/null 2>&1
	touch $(STAMP)

lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/

run: $(STAMP)
	$(BIN)/python -m utils.runner $(NOTEBOOKS)

test: unit nbval

# -rs: a skipped test says why in one line (e.g. the browser test, where Chromium is not installed)
unit: $(STAMP)
	MPLBACKEND=Agg $(BIN)/python -m pytest -rs tests

# -x: the first failure ends the run (without data, the first notebook stops it with the one clear message)
nbval: $(STAMP)
	DLS_FAST=1 $(BIN)/python -m pytest -x --nbval-lax --nbval-current-env \
		--nbval-cell-timeout=900 --durations=15 \
		$(if $(NOTEBOOKS),$(addprefix notebooks/,$(addsuffix .ipynb,$(NOTEBOOKS))),notebooks/)

data: $(STAMP)
	$(BIN)/python -m utils.data

# From the committed notebooks and their stored outputs: nothing is executed.
slides: $(STAMP)
	$(BIN)/python -m utils.publish slides

site: $(STAMP)
	$(BIN)/python -m utils.publish site

present: $(STAMP)
	$(BIN)/python -m utils.publish present
	$(BIN)/jupyter lab build/present/

clean:
	rm -rf build .pytest_cache
