# The two entry points of the README. Both create .venv/ when needed and install the project into it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test test-fast bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev,spark]"
	touch $(STAMP)

demo: $(STAMP)
	mkdir -p build
	$(BIN)/opnote extract corpora/sample/notes -o build/demo.jsonl --table

test: $(STAMP)
	$(BIN)/python -m pytest -q --nbmake tests notebooks

test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -m "not slow" tests

clean:
	rm -rf $(VENV) build .pytest_cache

bench: $(STAMP)
	$(BIN)/python benchmarks/bench.py
