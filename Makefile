# Building Deep Learning Systems: what each target does is in the README ("The two commands").
# Every target installs what it needs first.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TORCH_STAMP := $(VENV)/.installed-torch
NOTEBOOKS ?=
BACKEND ?=
BACKENDS ?= $(BACKEND)
# The Keras backend of run, test and nbval: passed on only when BACKEND is given.
KERAS_ENV := $(if $(BACKEND),KERAS_BACKEND=$(BACKEND))
# What a target needs installed: PyTorch only when asked for.
NEEDS := $(STAMP) $(if $(filter torch,$(BACKENDS)),$(TORCH_STAMP))

.PHONY: install publish lab run run-limited bench test test-latest unit standins nbval lint data exercises slides site present clean

install: $(NEEDS)

$(STAMP): requirements.txt requirements.lock pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit("Python 3.11 or newer is needed, this is " + sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt -c requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	@# jupyterlab-rise pulls in a MathJax extension built for JupyterLab 3, which JupyterLab 4 has built in
	$(BIN)/jupyter labextension disable --level=sys_prefix @jupyterlab/mathjax3-extension >/dev/null
	touch $(STAMP)

# PyTorch is opt-in: from the registry, its Linux wheel is a CUDA build of several GB (see README).
$(TORCH_STAMP): $(STAMP) requirements-torch.txt
	$(BIN)/python -m pip install --quiet -r requirements-torch.txt -c requirements.lock
	touch $(TORCH_STAMP)

# Set the course's public GitHub address (URL=...; omitted: the one in pyproject.toml) and rewrite what uses it:
# each notebook's Colab cell and the README's Colab and Binder links (README, "Publishing the course").
publish: $(STAMP)
	$(BIN)/python -m course.publish $(URL)

lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/

run: $(NEEDS)
	$(KERAS_ENV) $(BIN)/python -m course.run $(NOTEBOOKS)

# As run, each notebook inside a student's container: a cgroup of MEMORY (default 2G, no swap) and, with CPUS=1,
# one CPU's worth of time. Needs root (or a delegated cgroup v2 subtree) and /sys/fs/cgroup mounted read-write.
MEMORY ?= 2G
CPUS ?=
run-limited: $(NEEDS)
	$(KERAS_ENV) $(BIN)/python -m course.run --memory $(MEMORY) $(if $(CPUS),--cpus $(CPUS)) $(NOTEBOOKS)

# Seconds per epoch of each model the course trains, per backend and speed setting, side by side (README, "Speed").
# All three backends unless BACKENDS names some (PyTorch is installed for it).
bench: $(if $(BACKENDS),$(NEEDS),$(STAMP) $(TORCH_STAMP))
	$(BIN)/python -m course.bench $(if $(BACKENDS),--backends $(BACKENDS))

test: unit standins nbval

# The course on the newest releases (PRE=1: pre-releases and nightlies) in its own environment, build/latest*/, from
# pyproject.toml's ranges without their upper bounds and without the lock; fast-mode nbval on TensorFlow and JAX
# (BACKENDS= to choose, e.g. BACKENDS="tensorflow jax torch") and the students' copies; a report at the end.
test-latest: $(STAMP)
	$(BIN)/python -m course.canary $(if $(PRE),--pre) $(if $(BACKENDS),--backends $(BACKENDS))

# ruff: formatting and lint of the code, lint of the notebooks (configured in pyproject.toml)
lint: $(STAMP)
	$(BIN)/ruff format --check --quiet .
	$(BIN)/ruff check --quiet .

# -rs: a skipped test says why in one line (e.g. the browser test, where Chromium is not installed)
# Offline: the Colab and Binder stand-ins, which install from the package registry, are `make standins`.
# UNIT_ARGS: pytest's selection and options (UNIT_ARGS= runs every test, the stand-ins too)
UNIT_ARGS ?= -m "not standin"
unit: $(NEEDS)
	MPLBACKEND=Agg $(KERAS_ENV) $(BIN)/python -m pytest -rs $(UNIT_ARGS) tests

# Only the stand-ins: Colab's first cell and Binder's image, each in a fresh environment from the registry (slow)
standins: $(NEEDS)
	MPLBACKEND=Agg $(BIN)/python -m pytest -rs -m standin tests

# -x: the first failure ends the run (without data, the first notebook stops it with the one clear message)
# LIMITED=1: inside a student's container, as run-limited (MEMORY, and CPUS=1 for one CPU); CI does it on TensorFlow
nbval: $(NEEDS)
	DLS_FAST=1 $(KERAS_ENV) $(if $(LIMITED),$(BIN)/python -m course.limits --memory $(MEMORY) $(if $(CPUS),--cpus $(CPUS)) --) \
		$(BIN)/python -m pytest -x --nbval-lax --nbval-current-env --nbval-sanitize-with tests/nbval-sanitize.cfg \
		--nbval-cell-timeout=900 --durations=15 \
		$(if $(NOTEBOOKS),$(addprefix notebooks/,$(addsuffix .ipynb,$(NOTEBOOKS))),notebooks/)

data: $(STAMP)
	$(BIN)/python -m course.data

# The students' copies: solutions replaced by their starters, outputs cleared.
# CHECK=1 also runs each copy in fast mode: every check must answer "not attempted yet" (CI does).
exercises: $(STAMP)
	$(if $(CHECK),DLS_FAST=1 $(KERAS_ENV)) $(BIN)/python -m course.student_copies $(if $(CHECK),--verify)

# From the committed notebooks and their stored outputs: nothing is executed.
slides: $(STAMP)
	$(BIN)/python -m course.slides

site: $(STAMP)
	$(BIN)/python -m course.site

present: $(STAMP)
	$(BIN)/python -m course.slides --present
	$(BIN)/jupyter lab build/present/

clean:
	rm -rf build .pytest_cache
