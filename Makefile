# Two commands a newcomer needs:  make demo   and   make test
# Both create .venv and install requirements.txt + mmser_lib when missing.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup demo test test-lib test-notebooks lint notebooks check-notebooks benchmark check-real clean

setup: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet $$(grep '^torch==' requirements.txt)
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/mmser demo --out runs/demo

# Library tests and every notebook under nbval (on freshly written twins), in one pytest run on two workers
# (pytest-xdist; --dist loadscope keeps each notebook, and each test module, on one worker, in order). Figures,
# twins and the feature cache go to one temporary folder, so the committed references stay as they are.
# One suite alone: `make test-lib` or `make test-notebooks`.
test: $(STAMP)
	MMSER_FAST=1 $(BIN)/python -m pytest -q -n 2 --dist loadscope --durations=40 notebooks tests

test-lib: $(STAMP)
	MMSER_FAST=1 $(BIN)/python -m pytest -q --durations=15 tests

test-notebooks: $(STAMP)
	MMSER_FAST=1 $(BIN)/python -m pytest -q --durations=30 notebooks

lint: $(STAMP)
	$(BIN)/ruff check mmser_lib tests benchmarks tools notebooks

# Each notebook is its own source, except 03-07, written from tools/corpus_notebooks/ (template + corpora.yaml),
# and the Colab badge and setup cell of every notebook, written from pyproject.toml's Repository URL and
# tools/colab_setup.py. CI runs `make notebooks` and then fails if that changed anything under notebooks/.
notebooks: $(STAMP)
	$(BIN)/python tools/sync_colab.py
	$(BIN)/python tools/make_corpus_notebooks.py

check-notebooks: notebooks
	git diff --exit-code --stat notebooks tools/corpus_notebooks || (echo "notebooks/ differs from its sources (tools/corpus_notebooks/, tools/colab_setup.py, pyproject.toml's Repository): edit those, then run make notebooks" && exit 1)

benchmark: $(STAMP)
	$(BIN)/python benchmarks/demo_benchmark.py
	$(BIN)/python benchmarks/feature_benchmark.py
	$(BIN)/python benchmarks/transcription_benchmark.py

# The loaders against real corpus metadata, when ../shared/data is beside the clone (developers, CI).
check-real: $(STAMP)
	$(BIN)/python tools/check_real_metadata.py

clean:
	rm -rf runs .pytest_cache
