# IoU Lab — `make lab` opens the course, `make test` runs every test. Both create .venv on first use.
# Needs Python 3.10-3.13 as `python3` (override: make lab PYTHON=python3.12).

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export TF_CPP_MIN_LOG_LEVEL ?= 2

# Colab compatibility environment: Colab's Python (3.13) when this machine has it, else $(PYTHON)
COLAB_VENV   ?= .venv-colab
COLAB_PYTHON ?= $(or $(firstword $(wildcard /root/.pyenv/versions/3.13*/bin/python3.13)),$(shell command -v python3.13),$(PYTHON))
COLAB_STAMP  := $(COLAB_VENV)/.installed

.PHONY: test-colab lab test test-unit test-notebooks test-browser bench notebooks readme sync clean help

help:
	@echo "make lab        set up .venv (first time) and open JupyterLab on notebooks/"
	@echo "make test       set up .venv (first time) and run unit tests + nbval over every notebook"
	@echo "make test-unit  unit tests only (fast)"
	@echo "make test-browser  the widgets in JupyterLab in headless Chromium (installs Chromium if root)"
	@echo "make notebooks  re-execute every notebook in place from a fresh kernel (after editing the .py)"
	@echo "make bench      write benchmarks/RESULTS.md"
	@echo "make test-colab unit tests + notebooks under Colab's versions (TF 2.20, Keras 3.13, ipywidgets 7.7.1)"

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade pip
	$(BIN)/python -m pip install -r requirements.txt -e .
	@touch $@

lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/

test: $(STAMP)
	$(BIN)/python -m pytest tests notebooks --nbval-lax --nbval-sanitize-with nbval-sanitize.cfg \
		--nbval-cell-timeout=900 -p no:cacheprovider

test-unit: $(STAMP)
	$(BIN)/python -m pytest tests -p no:cacheprovider

test-notebooks: $(STAMP)
	$(BIN)/python -m pytest notebooks --nbval-lax --nbval-sanitize-with nbval-sanitize.cfg \
		--nbval-cell-timeout=900 -p no:cacheprovider

# The widgets in a real browser (tests_browser/README.md): JupyterLab + the system's Chromium, driven by
# Playwright (never downloads a browser). Screenshots land in test-artifacts/browser/.
CHROMIUM ?= /usr/bin/chromium
test-browser: $(STAMP)
	@if [ ! -x "$(CHROMIUM)" ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			apt-get update && apt-get install -y chromium; \
		else \
			echo "make test-browser needs Chromium at $(CHROMIUM). Install it with"; \
			echo "    sudo apt-get update && sudo apt-get install -y chromium    (Debian)"; \
			echo "or install Chromium another way and run: make test-browser CHROMIUM=/path/to/chromium"; \
			exit 1; \
		fi; \
	fi
	$(BIN)/python -m pip install -q -r requirements-browser.txt
	IOU_LAB_CHROMIUM=$(CHROMIUM) $(BIN)/python -m pytest tests_browser -p no:cacheprovider

# Pair each notebooks/NN_*.py (jupytext py:percent, the file you edit) with its .ipynb, then execute
# the .ipynb from a fresh kernel and save it with outputs.
notebooks: $(STAMP)
	$(BIN)/python tools/build_notebooks.py

sync: $(STAMP)
	$(BIN)/jupytext --sync notebooks/*.py

readme: $(STAMP)
	$(BIN)/python tools/build_readme.py

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

# The course under Colab's versions (TF 2.20, Keras 3.13, ipywidgets 7.7.1): unit tests + every notebook.
$(COLAB_STAMP): requirements-colab.txt pyproject.toml
	$(COLAB_PYTHON) -m venv $(COLAB_VENV)
	$(COLAB_VENV)/bin/python -m pip install --upgrade pip
	$(COLAB_VENV)/bin/python -m pip install -r requirements-colab.txt -e .
	@touch $@

test-colab: $(COLAB_STAMP)
	$(COLAB_VENV)/bin/python -c "import sys, tensorflow as tf, keras, ipywidgets; print('Colab check:', sys.version.split()[0], 'TF', tf.__version__, 'Keras', keras.__version__, 'ipywidgets', ipywidgets.__version__)"
	$(COLAB_VENV)/bin/python -m pytest tests notebooks --nbval-lax --nbval-sanitize-with nbval-sanitize.cfg \
		--nbval-cell-timeout=900 -p no:cacheprovider

clean:
	rm -rf $(VENV) $(COLAB_VENV) .pytest_cache .hypothesis
