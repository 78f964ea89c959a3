# IoU Lab — `make lab` opens the course, `make test` runs every test. Both create .venv on first use.
# Needs CPython 3.11-3.13: a pre-flight (tools/preflight.py) finds python3 / python3.13 / python3.12 /
# python3.11, or the one you name (make lab PYTHON=python3.12), and stops before any download if none fits.

PYTHON ?=
# the interpreter that runs the pre-flight itself (any Python 3 will do)
PREFLIGHT_PYTHON := $(or $(PYTHON),$(shell command -v python3 2>/dev/null),python)
PREFLIGHT = PYTHON="$(PYTHON)" VENV="$(VENV)" $(PREFLIGHT_PYTHON) tools/preflight.py
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export TF_CPP_MIN_LOG_LEVEL ?= 2

# Colab compatibility environment: Colab's Python (3.13) when this machine has it, else $(PYTHON)
COLAB_VENV   ?= .venv-colab
COLAB_PYTHON ?= $(or $(firstword $(wildcard /root/.pyenv/versions/3.13*/bin/python3.13)),$(shell command -v python3.13),$(PYTHON),python3)
COLAB_STAMP  := $(COLAB_VENV)/.installed

.PHONY: lock test-backends seeds aerial-seeds lint preflight site lab-course test-colab test-gpu lab test test-unit test-notebooks test-browser bench notebooks readme sync clean help

help:
	@echo "make lab        set up .venv (first time) and open JupyterLab on your copies in my-notebooks/"
	@echo "make lab-course JupyterLab on notebooks/ itself (maintainers: edits there change the tracked files)"
	@echo "make preflight  check for a usable Python 3.11-3.13 (lab and test run it first)"
	@echo "make site       the course website in site/ (Jupyter Book, offline; the notebooks are not executed)"
	@echo "make test       set up .venv (first time) and run unit tests + nbval over every notebook"
	@echo "make test-unit  unit tests only (fast)"
	@echo "make test-browser  the widgets in JupyterLab, and the site, in headless Chromium (installs Chromium if root)"
	@echo "make notebooks  re-execute every notebook in place from a fresh kernel (after editing the .py)"
	@echo "make lint       ruff check + ruff format --check + lint-imports (the layers of helpers/; pyproject.toml)"
	@echo "make lock       rewrite requirements-lock.txt (exact versions + hashes) from the ranges in requirements.txt"
	@echo "make bench      write benchmarks/RESULTS.md"
	@echo "make seeds      the seed study behind notebook 05 (10 seeds, about 80 min; data/seed_study/)"
	@echo "make aerial-seeds  the seed study behind notebook 08 (real images, 2 recipes x 6 seeds, about 25 min)"
	@echo "make test-colab unit tests + notebooks under Colab's versions (TF 2.20, Keras 3.13, ipywidgets 7.7.1)"
	@echo "make test-backends  take_home/iou_keras.py alone under Keras's JAX and PyTorch backends (.venv-backends)"
	@echo "make test-gpu   on a machine with a GPU: the compile matrix (XLA on the GPU) + notebooks 03, 05, 06"

preflight:
	@$(PREFLIGHT)

# Installs the exact, hash-checked versions of requirements-lock.txt (every machine of a workshop gets the
# same stack), then the helpers package itself. `make lock` regenerates the lock from the ranges.
$(STAMP): requirements-lock.txt pyproject.toml | preflight
	@test -x $(BIN)/python || { py="$$($(PREFLIGHT) --print)" && echo "$$py -m venv $(VENV)" && "$$py" -m venv $(VENV); }
	$(BIN)/python -m pip install --upgrade pip
	$(BIN)/python -m pip install --require-hashes -r requirements-lock.txt
	$(BIN)/python -m pip install --no-deps -e .
	@touch $@

# Rewrite requirements-lock.txt from the ranges in requirements.txt (+ requirements-course.txt): one universal
# lock for Linux, macOS and Windows, Python 3.11-3.13, with sha256 hashes. Run it after editing a range.
lock: $(STAMP)
	$(BIN)/python -m pip install -q "uv~=0.13"
	$(BIN)/uv pip compile requirements.txt --universal --generate-hashes --python-version 3.11 \
		--output-file requirements-lock.txt --custom-compile-command "make lock"

# Learners work on their own git-ignored copies (my-notebooks/, made on first run, never overwritten),
# so `git pull` for course updates never conflicts with their edits. See README.md.
lab: preflight $(STAMP)
	$(BIN)/python tools/learner_copies.py
	$(BIN)/jupyter lab my-notebooks/

lab-course: preflight $(STAMP)
	$(BIN)/jupyter lab notebooks/

test: preflight $(STAMP)
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

# ruff (configured in pyproject.toml): lint, and the formatting check (ruff format fixes it); then the
# layers of helpers/ (import-linter's contracts in pyproject.toml: the library never imports the course)
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

# The seed study behind notebook 05's claims: 8 recipes x 10 seeds (about 80 minutes of training on 2
# cores; not run by CI). One process per seed: XLA's compiled programs pile up in one long process (it
# ran out of memory for LLVM once). Resumes where it stopped; results: data/seed_study/threads2.json.
seeds: $(STAMP)
	for seed in 0 1 2 3 4 5 6 7 8 9; do $(BIN)/python tools/seed_study.py --setting threads2 --seeds $$seed || exit 1; done

# The seed study behind notebook 08's claims on the real aerial images: recipes a and c x 6 seeds (about 25
# minutes on 2 cores; not run by CI). One process per seed, as above; results: data/aerial_study/threads2.json.
aerial-seeds: $(STAMP)
	for seed in 0 1 2 3 4 5; do $(BIN)/python tools/aerial_study.py --seeds $$seed || exit 1; done

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

# take_home/iou_keras.py on Keras's other backends, in a venv without TensorFlow or the course: JAX always;
# PyTorch only from a CPU wheel already on this machine (pip's find-links), never PyPI's multi-GB CUDA build.
BACKENDS_VENV  ?= .venv-backends
BACKENDS_STAMP := $(BACKENDS_VENV)/.installed
TORCH_CPU      ?= torch==2.13.0
$(BACKENDS_STAMP): requirements-backends.txt | preflight
	@test -x $(BACKENDS_VENV)/bin/python || { py="$$($(PREFLIGHT) --print)" && "$$py" -m venv $(BACKENDS_VENV); }
	$(BACKENDS_VENV)/bin/python -m pip install -q --upgrade pip
	$(BACKENDS_VENV)/bin/python -m pip install -q -r requirements-backends.txt
	@if $(BACKENDS_VENV)/bin/python -m pip install -q --no-index --no-deps "$(TORCH_CPU)" 2>/dev/null; then \
		$(BACKENDS_VENV)/bin/python -m pip install -q "$(TORCH_CPU)"; \
	else echo "No local CPU wheel for $(TORCH_CPU): the PyTorch case is skipped (JAX still runs)."; fi
	@touch $@

test-backends: $(BACKENDS_STAMP)
	$(BACKENDS_VENV)/bin/python -m pytest tests/test_take_home_backends.py -p no:cacheprovider -ra

# The GPU path (issue 11): where TensorFlow sees a GPU, Keras compiles fit/evaluate with XLA by itself.
# Runs tests/test_compile_matrix.py and executes notebooks 03, 05, 06 there, and prints a summary for
# benchmarks/RESULTS.md. Without a visible GPU it says so and fails (exit 2): it never passes on nothing.
test-gpu: $(STAMP)
	$(BIN)/python tools/gpu_check.py

# The course website (site/index.html), built by Jupyter Book 1 from the executed notebooks (never executed),
# docs/*.md and the library's docstrings (tools/build_site.py, tools/book/); nothing is fetched from the web,
# at build time or when a page is viewed (MathJax is the site's own copy).
site: $(STAMP)
	$(BIN)/python tools/build_site.py

clean:
	rm -rf $(VENV) $(COLAB_VENV) .pytest_cache .hypothesis
