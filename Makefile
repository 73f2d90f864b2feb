# Two commands on a fresh Debian 12 machine (as root): `make demo` and `make test`.
# Both install missing system packages first. The Swift 6.3 toolchain must be on PATH
# or in /opt/swift (it is not a Debian package).

SHELL := /bin/bash
export PATH := /opt/swift/usr/bin:$(PATH)
SWIFT ?= swift
# System packages of the build (the design card): SQLite, OpenSSL, curl, ffi; python3-venv for
# the conformance tests that cross-check crypto against PyPI packages.
APT_PACKAGES := libsqlite3-dev libssl-dev libcurl4-openssl-dev libffi-dev python3-venv gcc
DEMO_SECONDS ?= 15

.PHONY: all deps build release demo test pyvenv bench format clean

all: build

deps:
	@command -v $(SWIFT) >/dev/null || { echo "error: swift not found: install the Swift 6.3 toolchain into /opt/swift"; exit 1; }
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  if [ "$$(id -u)" != 0 ]; then echo "error: run as root (or install:$$missing)"; exit 1; fi; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

demo: build
	.build/debug/arb demo --duration $(DEMO_SECONDS)

# swift build first: the tests load the plugin .so files it puts beside the test bundle.
# The PyPI venv for the cross-checks (RSA-PSS by cryptography, Polymarket's book hash by
# py-clob-client-v2) is made here, before the tests run in parallel: made
# inside a test, pip would block a test thread for many seconds and starve the loopback tests.
test: build pyvenv
	$(SWIFT) test

pyvenv: deps
	@if [ ! -f .build/pyvenv/bin/python.v2.ok ]; then \
	  echo "creating .build/pyvenv with cryptography and py-clob-client-v2 from PyPI"; \
	  python3 -m venv .build/pyvenv && .build/pyvenv/bin/pip install -q cryptography py-clob-client-v2==1.2.1 \
	    && touch .build/pyvenv/bin/python.v2.ok; \
	fi

bench: release
	.build/release/arb-bench
	.build/release/arb-bench-engine

format:
	$(SWIFT) format --in-place --recursive Package.swift Host PluginAPI Plugins Tests Benchmarks Examples

clean:
	rm -rf .build .arb-state
