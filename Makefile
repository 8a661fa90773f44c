# Haat: `make demo` and `make test` work on a fresh machine with Python 3.11 and make.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAGE ?= dev
export AWS_DEFAULT_REGION ?= ap-south-1

.PHONY: help venv demo test test-browser lint package deploy bench photos orders clean

help:
	@echo "make demo     run the whole pipeline locally and print what happened"
	@echo "make test     lint + the whole test suite against the embedded local AWS"
	@echo "make test-browser  only the pages in headless Chromium (screenshots in build/screenshots/)"
	@echo "make package  STAGE=dev|prod: chalice package + resources merged + cfn-lint"
	@echo "make deploy   STAGE=dev|prod: package, then deploy with CloudFormation (needs AWS credentials)"
	@echo "make bench    performance benchmarks (ratios against baselines measured in the same run)"
	@echo "make photos   DIR=path [SAVE=dir]: try a folder of photos through the pipeline (local stack)"
	@echo "make orders   FILE=path: send a JSON-lines file of order events through the local stack"

venv: $(VENV)/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade 'pip<26.3'
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

demo: venv
	$(BIN)/python -m haat_tools.cli demo

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

test: lint
	$(BIN)/pytest -n 3 --dist loadfile

test-browser: venv
	$(BIN)/pytest tests/browser

package: venv
	rm -rf build/$(STAGE)
	$(BIN)/python -m haat_tools.cli package --stage $(STAGE) --out build/$(STAGE)

deploy: package
	$(BIN)/python -m haat_tools.cli deploy --stage $(STAGE) --template build/$(STAGE)/sam.yaml

orders: venv
	$(BIN)/python -m haat_tools.cli orders send $(FILE)

bench: venv
	@for b in bench/*.py; do echo "== $$b"; POWERTOOLS_METRICS_DISABLED=true $(BIN)/python $$b || exit 1; done

photos: venv
	$(BIN)/python -m haat_tools.cli photos "$(DIR)" $(if $(SAVE),--save "$(SAVE)")

clean:
	rm -rf build .haat .pytest_cache .mypy_cache .ruff_cache
