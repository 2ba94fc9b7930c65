# The two entry points of the README. Both create .venv/ when needed and install the project into it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test test-fast bench bench-queue clean models

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev,spark,review,review-test]"
	touch $(STAMP)

demo: $(STAMP)
	mkdir -p build
	$(BIN)/opnote extract corpora/sample/notes -o build/demo.jsonl --overwrite --table
	$(BIN)/opnote queue load build/demo.jsonl --notes corpora/sample/notes --db build/queue.sqlite3 --batch sample
	@$(BIN)/opnote queue add-user demo --role admin --db build/queue.sqlite3 --password demo-password 2>/dev/null \
		&& echo "review queue user: demo / demo-password (admin)" || echo "review queue user demo already exists"
	@echo "open the worklist: $(BIN)/opnote serve --db build/queue.sqlite3   then http://127.0.0.1:8000/"

test: $(STAMP)
	$(BIN)/python -m pytest -q --nbmake tests notebooks

test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -m "not slow" tests

clean:
	rm -rf $(VENV) build .pytest_cache

# The learned layer's models (models/): fitted on the corpus's training splits, judged on the held-out
# ones, seeded (the same corpus and rules give the same files); then their figures go into the READMEs.
models: $(STAMP)
	$(BIN)/opnote models train
	$(BIN)/opnote models report --write

bench: $(STAMP)
	$(BIN)/python benchmarks/bench.py
	$(BIN)/python benchmarks/bench_queue.py

bench-queue: $(STAMP)
	$(BIN)/python benchmarks/bench_queue.py
