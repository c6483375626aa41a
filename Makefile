# The two commands a newcomer types: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The model shipped inside the package (package data, committed): `make train` rewrites it.
MODEL := model/data/cleaner.npz
SAMPLE := ../shared/seeds/003_b83d7dfa7d287b8d.txt
DEVSET := ../shared/devset

.PHONY: demo test test-slow typecheck lint train eval eval-dev eval-wrapped eval-short eval-surrounded bench faults learning-curve screenshots clean

# The package and what it needs to run.
$(BIN)/cleaner: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -e .
	@touch $@

# The development tools (pytest, hypothesis, ruff, mypy) on top.
$(VENV)/.dev: $(BIN)/cleaner
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@

## demo: set up .venv and clean one seed dump to stdout with the shipped model
demo: $(BIN)/cleaner
	@if [ -f $(SAMPLE) ]; then $(BIN)/cleaner predict $(SAMPLE); \
	else echo "($(SAMPLE) not found: cleaning a labelled dump instead)"; \
	     cut -f2- labels/seed-baoquocte-003.tsv | $(BIN)/cleaner predict -; fi

## test: set up .venv if missing, check labels/, run the tests, ruff and mypy
test: $(VENV)/.dev
	$(BIN)/cleaner labels check
	$(BIN)/pytest
	$(BIN)/ruff check .
	$(MAKE) --no-print-directory typecheck

## test-slow: the tests marked slow: local clusters (datatrove, Ray, Spark), fault injection at many cut
## points, model fits (retraining from the labelling page, --adapt)
test-slow: $(VENV)/.dev
	$(BIN)/pytest -m slow

## screenshots: the labelling page in headless Chromium, for the README (docs/label-*.png)
screenshots: $(VENV)/.dev
	$(BIN)/python tests/browser_support.py

# mypy checks the package under its installed name: model/ and training/ are installed as cleaner
# and cleaner.training (see pyproject.toml), so they are linked into that shape first.
typecheck: $(VENV)/.dev
	@rm -rf .typecheck && mkdir -p .typecheck/cleaner
	@ln -s $(CURDIR)/model/* .typecheck/cleaner/ && ln -s $(CURDIR)/training .typecheck/cleaner/training
	MYPYPATH=.typecheck $(BIN)/mypy -p cleaner

lint: $(VENV)/.dev
	$(BIN)/ruff check .

## train: train on labels/ (with 10-fold cross-validation, whole sites left out) and rewrite the shipped model
train: $(BIN)/cleaner
	$(BIN)/cleaner train --labels labels --output $(MODEL)

## eval: 10-fold cross-validation on labels/, whole sites left out; per language, kind of page and site
eval: $(BIN)/cleaner
	$(BIN)/cleaner evaluate --labels labels

## eval-dev: the model trained on labels/ against peer baselines on ../shared/devset (never trained on):
## vi and en by per-line gold, multi by snippets (per language); leave-one-language-out on labels/;
## the site-adaptation curve on 6 sampled sites (24 fits)
eval-dev: $(BIN)/cleaner
	@if [ ! -d $(DEVSET) ]; then echo "eval-dev skipped: $(DEVSET) not found"; exit 0; fi; \
	$(BIN)/pip install --quiet -e '.[dev,bench,plot]' && \
	$(BIN)/cleaner evaluate --labels labels --test $(DEVSET)/vi --test $(DEVSET)/en --test $(DEVSET)/multi \
	  --baselines --leave-one-language-out --learning-curve \
	  --plot model/data/learning_curve.png --json model/data/eval-dev.json --card model/data/MODEL_CARD.md \
	  --adapt --sites 6 --adapt-plot model/data/adaptation.png

## eval-wrapped: the model on ../shared/devset with every line hard-wrapped at 78 columns, against as given
eval-wrapped: $(BIN)/cleaner
	@if [ ! -d $(DEVSET) ]; then echo "eval-wrapped skipped: $(DEVSET) not found"; exit 0; fi; \
	$(BIN)/python -m cleaner.training.wrapped_eval --devset $(DEVSET)

## eval-short: short records (excerpts of labelled pages) by site, with and without training excerpts
eval-short: $(BIN)/cleaner
	$(BIN)/python -m cleaner.training.short_records --labels labels

## eval-surrounded: labelled pages inside other pages' chrome (real dumps are longer), or with their own cut off
## (dumps that begin or end at the article), cross-validated by site
eval-surrounded: $(BIN)/cleaner
	$(BIN)/python -m cleaner.training.surroundings --labels labels

## bench: throughput (1 job and all cores), start-up, peak RSS, and peers, on a 50 MB corpus
bench: $(BIN)/cleaner
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	$(BIN)/python -m cleaner.training.bench

## faults: cut inputs, kills and --resume, a full disk, stdin, unreadable paths: a table of what each cost
## (records lost, orphans, temporary files left: all 0), peak memory per document size; then their slow tests
faults: $(VENV)/.dev
	$(BIN)/python -m cleaner.training.faults
	$(BIN)/pytest -m slow tests/test_faults.py tests/test_windows.py

clean:
	rm -rf $(VENV) build .typecheck *.egg-info
