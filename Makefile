# Two commands a newcomer needs:  make demo   and   make test
# Both create .venv and install requirements.txt + mmser_lib when missing.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup demo test test-lib test-notebooks lint notebooks check-notebooks benchmark notebook-times references check-real clean

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
# tools/colab_setup.py, and the "what you should see" / run-time lines at the top of every notebook, written from
# tools/notebook_headers.yaml and figures/run_times.json. CI runs `make notebooks` and then fails if that changed
# anything under notebooks/.
notebooks: $(STAMP)
	$(BIN)/python tools/sync_colab.py
	$(BIN)/python tools/make_corpus_notebooks.py
	$(BIN)/python tools/sync_headers.py

check-notebooks: notebooks
	git diff --exit-code --stat notebooks tools/corpus_notebooks || (echo "notebooks/ differs from its sources (tools/corpus_notebooks/, tools/colab_setup.py, tools/notebook_headers.yaml, pyproject.toml's Repository): edit those, then run make notebooks" && exit 1)

benchmark: $(STAMP)
	$(BIN)/python benchmarks/demo_benchmark.py
	$(BIN)/python benchmarks/feature_benchmark.py
	$(BIN)/python benchmarks/transcription_benchmark.py

# Every notebook's run time, as recorded with the references (`--run` to measure again).
notebook-times: $(STAMP)
	$(BIN)/python benchmarks/notebook_times.py

# Every reference at one commit, in one command (commit first: each metrics.json names the commit):
#   make references RAVDESS_ROOT=/data/ravdess-actors-01-12 RAVDESS_SPEAKERS=1-12 MELD_ROOT=/data/meld
# 1. twin-fast/ of every notebook (CI's settings), 2. the main reference and the committed outputs of the
# twin-only notebooks, 3. those that read real RAVDESS (and MELD's CSVs in 08).
RAVDESS_ROOT ?=
RAVDESS_SPEAKERS ?= 1-12
MELD_ROOT ?=
TWIN_ONLY := 00_setup 03_crema_d 05_tess 06_meld 07_iemocap 09_crema_d_and_meld 12_sadness_iemocap 14_cross_attention
REAL_RAVDESS := 01_corpora_and_twins 02_baseline_vs_two_branch 04_ravdess 13_late_fusion 10_scaling 11_splits_and_leakage 15_cross_corpus_and_your_voice 16_speech_encoders
references: $(STAMP)
	@test -n "$(RAVDESS_ROOT)" || (echo "set RAVDESS_ROOT (and MELD_ROOT): see data/README.md" && exit 1)
	$(BIN)/python tools/make_reference_figures.py --twin --fast
	$(BIN)/python tools/make_reference_figures.py --outputs $(TWIN_ONLY)
	MMSER_RAVDESS_ROOT=$(RAVDESS_ROOT) MMSER_RAVDESS_SPEAKERS=$(RAVDESS_SPEAKERS) \
		$(BIN)/python tools/make_reference_figures.py --outputs $(REAL_RAVDESS)
	MMSER_RAVDESS_ROOT=$(RAVDESS_ROOT) MMSER_RAVDESS_SPEAKERS=$(RAVDESS_SPEAKERS) $(if $(MELD_ROOT),MMSER_MELD_ROOT=$(MELD_ROOT)) \
		$(BIN)/python tools/make_reference_figures.py --outputs 08_transcripts_and_text
	$(BIN)/python benchmarks/notebook_times.py

# The loaders against real corpus metadata, when ../shared/data is beside the clone (developers, CI).
check-real: $(STAMP)
	$(BIN)/python tools/check_real_metadata.py

clean:
	rm -rf runs .pytest_cache
