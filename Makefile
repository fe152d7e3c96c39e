# govmedia — the two commands a newcomer needs: `make demo` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench services fonts clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

# The main job, offline, on the embedded SQLite default.
demo: $(STAMP)
	bash scripts/demo.sh

# The whole test suite (starts the local PostgreSQL/Redis services if they are down).
test: $(STAMP) services
	$(BIN)/python -m pytest -q -n 2 --dist loadfile

lint: $(STAMP)
	$(BIN)/ruff check registry spiders monitor reports tests bench
	$(BIN)/ruff format --check registry spiders monitor reports tests bench
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python bench/registry_import.py

# Start the machine's PostgreSQL and Redis when they are installed but not running.
services:
	@bash scripts/services.sh

clean:
	rm -rf $(VENV) demo-output .pytest_cache
