# customlabels: the two commands a newcomer needs are `make demo` and `make test`.
# Every target installs what it needs; caches live in ignored folders and are keyed by
# the files that define them, so a second run only checks stamps.

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3.11
VENV := .venv
VENV_PY := $(VENV)/bin/python
LOCALSTACK_PORT ?= 4566
ENDPOINT := http://127.0.0.1:$(LOCALSTACK_PORT)

export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export CDK_DISABLE_VERSION_CHECK := 1
export CUSTOMLABELS_LOCALSTACK_PORT := $(LOCALSTACK_PORT)

PY_KEY := $(shell cat pyproject.toml constraints.txt 2>/dev/null | sha256sum | cut -c1-16)
NODE_KEY := $(shell cat package-lock.json | sha256sum | cut -c1-16)
VENV_STAMP := $(VENV)/.installed-$(PY_KEY)
NODE_STAMP := node_modules/.installed-$(NODE_KEY)

.PHONY: help setup venv node localstack test lint typecheck synth up down demo clean \
	bench bench-api bench-manifests bench-datasets bench-detect bench-serving bench-train

help:
	@echo "make demo   deploy on LocalStack and walk the guide's getting-started flow on four sample projects (DEMO_ARGS=--quick)"
	@echo "make test   lint, type-check and run every test (starts LocalStack itself)"
	@echo "make up     start LocalStack and deploy the stack; outputs in .local/outputs.json"
	@echo "make down   stop what 'make up' started"
	@echo "make synth  synthesize the stack for AWS and for LocalStack"
	@echo "make bench  run the API, manifest, dataset, detection and serving benchmarks (bench-train: ~15 min)"

$(VENV_STAMP): pyproject.toml
	@rm -f $(VENV)/.installed-*
	@test -x $(VENV_PY) || $(PYTHON) -m venv $(VENV)
	$(VENV_PY) -m pip install -q --disable-pip-version-check $(if $(wildcard constraints.txt),-c constraints.txt) -e '.[infra,dev,train,bench]'
	@touch $@

$(NODE_STAMP): package-lock.json
	@rm -f node_modules/.installed-*
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

venv: $(VENV_STAMP)
node: $(NODE_STAMP)
localstack: $(VENV_STAMP)
	$(VENV_PY) tools/localstack/launcher.py install

setup: venv node localstack

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: venv
	$(VENV)/bin/mypy customlabels functions infra tools tests app.py

synth: setup
	node_modules/.bin/cdk synth -q -c target=aws > /dev/null
	node_modules/.bin/cdk synth -q -c target=local > /dev/null
	@echo "synthesized cdk.out for target=aws and target=local"

test: setup lint typecheck
	$(VENV_PY) -m pytest -q -p no:cacheprovider tests

up: setup
	$(VENV_PY) tools/localstack/launcher.py start --port $(LOCALSTACK_PORT)
	$(VENV_PY) tools/deploy_local.py --endpoint-url $(ENDPOINT)

down: venv
	$(VENV_PY) tools/localstack/launcher.py stop --port $(LOCALSTACK_PORT)

demo: up
	$(VENV_PY) -m tools.demo $(DEMO_ARGS)

# Benchmarks print markdown tables and write CSVs under bench/results/ (machine and versions in the name).
bench: bench-api bench-manifests bench-datasets bench-detect bench-serving

bench-api: venv
	$(VENV_PY) -m bench.api_latency

bench-manifests: venv
	$(VENV_PY) -m bench.manifest_validation

bench-datasets: venv
	$(VENV_PY) -m bench.dataset_entries

bench-detect: venv
	$(VENV_PY) -m bench.detect

bench-serving: up
	$(VENV_PY) -m bench.serving

bench-train: venv
	$(VENV_PY) -m bench.train

clean:
	rm -rf cdk.out .pytest_cache .mypy_cache .ruff_cache
