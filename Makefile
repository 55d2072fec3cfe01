# dak: `make demo` ingests the samples on embedded defaults; `make test` runs the test suite.
# Both install what is missing first (Debian packages, then a .venv with dak and its dev tools).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export DO_NOT_TRACK := 1
export OMP_THREAD_LIMIT := 1

.PHONY: demo test system-deps test-system-deps lint bench clean

demo: system-deps $(VENV)/.installed
	$(BIN)/dak ingest samples/scans/
	@echo
	@echo "Signed PDFs are under dak-data/receipts/. Check one:  $(BIN)/dak verify dak-data/receipts/*/*.pdf"

test: test-system-deps $(VENV)/.installed
	$(BIN)/ruff check pipeline flows tests bench samples
	$(BIN)/pytest

system-deps:
	@bash scripts/install-system-deps.sh

test-system-deps:
	@bash scripts/install-system-deps.sh --test

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $@

lint: $(VENV)/.installed
	$(BIN)/ruff check pipeline flows tests bench samples
	$(BIN)/ruff format --check pipeline flows tests bench samples
	$(BIN)/mypy

clean:
	rm -rf $(VENV) dak-data .pytest_cache
