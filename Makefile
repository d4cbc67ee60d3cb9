# GridLedger — every entry point installs what is missing first (idempotent, fast when warm).
#   make demo   run the trading day on an embedded anvil chain and write reports/<timestamp>/index.html
#   make test   lint + slither + the whole test suite (contracts and off-chain)
#   make gas    regenerate gas-snapshot.json          make bench   long benchmarks (bench-poa: 3-signer PoA, 30-min soak)
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
SOLC_VERSION := 0.8.37
STAMP_PY := $(VENV)/.installed
STAMP_NODE := node_modules/.installed
SOLC_SHIM := .solcx/solc-v$(SOLC_VERSION)
STAMP_NETWORKS := $(VENV)/.brownie-networks

export PATH := $(CURDIR)/node_modules/.bin:$(CURDIR)/$(VENV)/bin:$(PATH)
export SOLCX_BINARY_PATH := $(CURDIR)/.solcx
# brownie hashes conftest files and chokes on stray .pyc: keep bytecode out of the tree
export PYTHONPYCACHEPREFIX := $(CURDIR)/.pycache
export PYTHONUNBUFFERED := 1

BROWNIE := $(VENV)/bin/brownie
GRIDLEDGER := $(VENV)/bin/gridledger

.PHONY: help deps demo test lint slither compile gas bench bench-poa clean distclean

help:
	@sed -n '2,4p' Makefile | sed 's/^# //'

deps: $(STAMP_PY) $(STAMP_NODE) $(SOLC_SHIM) $(STAMP_NETWORKS)

# brownie's network list lives in ~/.brownie: register the project's entries (idempotent)
$(STAMP_NETWORKS): tools/brownie-networks.yaml $(STAMP_PY)
	$(VENV)/bin/python -m offchain.devnet.brownie_networks
	@touch $@

$(STAMP_PY): requirements.txt pyproject.toml
	@test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(VENV)/bin/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $@

# `npm install` with the committed lock, not `npm ci`: npm 11's `ci` rejects this lock
# because some packages list optional platform builds (anvil for darwin/win32) that the
# lock leaves out; `install --no-save` installs exactly the locked tree and writes nothing.
# --ignore-scripts: nothing we use needs an install script (anvil ships its binary in a
# platform package), and some scripts (c-kzg's node-gyp build) would download headers.
$(STAMP_NODE): package.json package-lock.json $(wildcard patches/*.patch) tools/apply-patches.sh
	npm install --no-audit --no-fund --no-save --ignore-scripts --loglevel=error
	bash tools/apply-patches.sh
	@touch $@

$(SOLC_SHIM): tools/solc/solc-shim.js $(STAMP_NODE)
	@mkdir -p .solcx
	@printf '#!/bin/sh\nexec node "%s/tools/solc/solc-shim.js" "$$@"\n' "$(CURDIR)" > $@
	@chmod +x $@
	@$@ --version | grep -q "Version: $(SOLC_VERSION)"

compile: deps
	$(BROWNIE) compile

lint: deps
	$(VENV)/bin/ruff check offchain tests scripts
	$(VENV)/bin/ruff format --check offchain tests scripts
	$(VENV)/bin/lint-imports --no-cache

slither: compile
	bash tools/slither.sh

test: lint slither
	bash tools/run-tests.sh

demo: compile
	$(GRIDLEDGER) demo

gas: compile
	$(GRIDLEDGER) gas --write gas-snapshot.json

bench: compile
	$(GRIDLEDGER) bench all
	$(GRIDLEDGER) demo --network poa --signers 3 --period 2 --out reports/day-poa-3signers

# issue 19's acceptance runs: 3 latency runs (fresh devnet each), gas, a 30-minute soak with
# transfers flowing, and the SIGKILL drill of each signer in turn (~45 min)
bench-poa: compile
	$(GRIDLEDGER) bench devnet --signers 3 --runs 3 --soak 1800 --out reports/devnet-latency-3signers

clean:
	rm -rf build reports .pycache .hypothesis crytic-export

distclean: clean
	rm -rf $(VENV) node_modules .solcx .gridledger
