# The two commands a newcomer types: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MODEL := model/artifacts/cleaner.joblib
SAMPLE := ../shared/seeds/003_b83d7dfa7d287b8d.txt
DEVSET := ../shared/devset
LABELS := $(wildcard labels/*.tsv) labels/manifest.csv
# The code a saved model depends on: when it changes, `make demo` retrains instead of failing to load.
MODEL_CODE := model/batch.py model/lexicon.py model/segments.py model/scans.py model/repeats.py model/slugs.py model/shape.py model/features.py model/cuewords.py model/words.py \
	model/context.py model/predictor.py model/estimator.py model/artifact.py

.PHONY: demo test lint train eval eval-dev bench learning-curve clean

$(BIN)/cleaner: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@

$(MODEL): $(BIN)/cleaner $(LABELS) $(MODEL_CODE)
	$(BIN)/cleaner train --output $(MODEL)

## demo: set up .venv, train the model if it is missing, clean one seed dump to stdout
demo: $(MODEL)
	@if [ -f $(SAMPLE) ]; then $(BIN)/cleaner predict $(SAMPLE); \
	else echo "($(SAMPLE) not found: cleaning a labelled dump instead)"; \
	     cut -f2- labels/seed-baoquocte-003.tsv | $(BIN)/cleaner predict -; fi

## test: set up .venv if missing, validate labels, run the tests and the linter
test: $(BIN)/cleaner
	$(BIN)/cleaner labels check
	$(BIN)/pytest
	$(BIN)/ruff check .

lint: $(BIN)/cleaner
	$(BIN)/ruff check .

## train: train on labels/ and save the model under model/artifacts
train: $(BIN)/cleaner
	$(BIN)/cleaner train --output $(MODEL)

## eval: leave-one-site-out cross-validation on labels/
eval: $(BIN)/cleaner
	$(BIN)/cleaner evaluate

## eval-dev: the model trained on labels/ against peer baselines on ../shared/devset (never trained on)
eval-dev: $(BIN)/cleaner
	@if [ ! -d $(DEVSET) ]; then echo "eval-dev skipped: $(DEVSET) not found"; exit 0; fi; \
	$(BIN)/pip install --quiet -e '.[dev,bench,plot]' && \
	$(BIN)/cleaner evaluate --test $(DEVSET)/vi --test $(DEVSET)/en --baselines --learning-curve \
	  --plot model/learning_curve.png --json model/eval-dev.json --card model/MODEL_CARD.md

## bench: throughput (1 job and all cores), start-up, peak RSS, and peers, on a 50 MB corpus
bench: $(MODEL)
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	$(BIN)/python -m cleaner.training.bench

clean:
	rm -rf $(VENV) model/artifacts build *.egg-info
