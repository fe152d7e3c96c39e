# govmedia — the two commands a newcomer needs: `make demo` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev

.PHONY: demo test lint bench services fonts clean

# The runtime only: what `govmedia` needs (make demo).
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	@$(BIN)/python -m pip install -q --disable-pip-version-check --upgrade pip
	@# setuptools prints a notice about editable installs on every build; it is not ours to fix
	PYTHONWARNINGS=ignore $(BIN)/python -m pip install -q --disable-pip-version-check -e .
	@touch $(STAMP)

# The runtime and the developer's tools (pytest, ruff, mypy, import-linter): make test / lint.
$(DEV_STAMP): $(STAMP)
	PYTHONWARNINGS=ignore $(BIN)/python -m pip install -q --disable-pip-version-check -e '.[dev]'
	@touch $(DEV_STAMP)

# The main job, offline, on the embedded SQLite default.
demo: $(STAMP)
	@bash scripts/demo.sh

# The whole test suite (starts the local PostgreSQL service if it is down).
test: $(DEV_STAMP) services
	$(BIN)/python -m pytest -q -n 2 --dist loadfile

lint: $(DEV_STAMP)
	$(BIN)/ruff check registry spiders monitor reports tests bench
	$(BIN)/ruff format --check registry spiders monitor reports tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: $(DEV_STAMP)
	$(BIN)/python bench/startup.py
	$(BIN)/python bench/registry_import.py
	$(BIN)/python bench/approvals.py
	$(BIN)/python bench/status.py

# Start the machine's PostgreSQL and Redis when they are installed but not running.
services:
	@bash scripts/services.sh

# A full free CJK font for the report charts and the PDF (optional: the package ships a GB 2312 subset of
# Noto Sans SC; a full font also draws rarer characters). Tries the small WenQuanYi Micro Hei, then Noto CJK;
# any failure (no apt, no root, offline) is ignored.
fonts:
	@if command -v apt-get >/dev/null 2>&1; then \
	  apt-get install -y -q --no-install-recommends fonts-wqy-microhei >/dev/null 2>&1 \
	  || (apt-get update -q >/dev/null 2>&1 && apt-get install -y -q --no-install-recommends fonts-wqy-microhei >/dev/null 2>&1) \
	  || apt-get install -y -q --no-install-recommends fonts-noto-cjk >/dev/null 2>&1 \
	  || echo "提示：未能安装中文字体，图表将使用代码和英文标注"; \
	else echo "提示：没有 apt-get，请自行安装中文字体（如 fonts-noto-cjk）"; fi

clean:
	rm -rf $(VENV) demo-output .pytest_cache
