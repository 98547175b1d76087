# Building Deep Learning Systems: every target installs what it needs first.
#   make run    execute every notebook (full mode; DLS_FAST=1 for fast) and print the results table
#   make test   unit tests for utils, then every notebook under nbval in fast mode
#               (both take BACKEND=tensorflow|jax|torch, the Keras backend; TensorFlow by default)
#   make exercises  the students' copies of the notebooks (solutions cleared) in build/exercises/
#   make data   download every data set and weights file into data/ (verified)
#   make lab    JupyterLab on notebooks/
#   make slides one reveal.js deck per notebook in build/slides/ (needs Node.js's npm, for reveal.js)
#   make site   the course site in build/site/ (with the decks when npm is there)
#   make present  JupyterLab on copies with the slides in build/present/: present live with RISE (Alt+R)
#   make install  only the environment: .venv, utils editable, Jupyter kernel "dls";
#               BACKENDS=torch adds PyTorch (TensorFlow and JAX are always installed)

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
KERNEL := dls
TORCH_STAMP := $(VENV)/.installed-torch
NOTEBOOKS ?=
BACKEND ?=
BACKENDS ?= $(BACKEND)
# The Keras backend of run, test and nbval: passed on only when BACKEND is given.
KERAS_ENV := $(if $(BACKEND),KERAS_BACKEND=$(BACKEND))
# What a target needs installed: PyTorch only when asked for.
NEEDS := $(STAMP) $(if $(filter torch,$(BACKENDS)),$(TORCH_STAMP))

.PHONY: install lab run test unit nbval data exercises slides site present clean

install: $(NEEDS)

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

# PyTorch is opt-in: from the registry, its Linux wheel is a CUDA build of several GB (see README).
$(TORCH_STAMP): $(STAMP) requirements-torch.txt
	$(BIN)/python -m pip install --quiet -r requirements-torch.txt -c requirements.lock
	touch $(TORCH_STAMP)

lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/

run: $(NEEDS)
	$(KERAS_ENV) $(BIN)/python -m utils.runner $(NOTEBOOKS)

test: unit nbval

# -rs: a skipped test says why in one line (e.g. the browser test, where Chromium is not installed)
unit: $(NEEDS)
	MPLBACKEND=Agg $(KERAS_ENV) $(BIN)/python -m pytest -rs tests

# -x: the first failure ends the run (without data, the first notebook stops it with the one clear message)
nbval: $(NEEDS)
	DLS_FAST=1 $(KERAS_ENV) $(BIN)/python -m pytest -x --nbval-lax --nbval-current-env \
		--nbval-cell-timeout=900 --durations=15 \
		$(if $(NOTEBOOKS),$(addprefix notebooks/,$(addsuffix .ipynb,$(NOTEBOOKS))),notebooks/)

data: $(STAMP)
	$(BIN)/python -m utils.data

# The students' copies: solutions replaced by their starters, outputs cleared.
# CHECK=1 also runs each copy in fast mode: every check must answer "not attempted yet" (CI does).
exercises: $(STAMP)
	$(if $(CHECK),DLS_FAST=1 $(KERAS_ENV)) $(BIN)/python -m utils.exercises $(if $(CHECK),--check)

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
