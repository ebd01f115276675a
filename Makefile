# The two commands of README: `make up` runs the platform, `make test` runs the suite.
# Both first prepare the host (scripts/setup-host.sh: idempotent).
SHELL := /bin/bash
export PATH := $(HOME)/.local/bin:$(PATH)
PAAS_TEST_POSTGRES_URL ?= postgresql+psycopg://paas:paas@127.0.0.1:5432/paas_test
PYTEST_ARGS ?=
# Containers trust only what their images carry: give the stack images the host's
# CA bundle (needed where TLS to package registries is intercepted).
HOST_CA_BUNDLE := /etc/ssl/certs/ca-certificates.crt
ifneq ($(wildcard $(HOST_CA_BUNDLE)),)
export PAAS_EXTRA_CA_CERTS ?= $(HOST_CA_BUNDLE)
endif

.PHONY: up test setup

setup:
	scripts/setup-host.sh

up: setup
	uv run paas-platform up

test:
	scripts/setup-host.sh --postgres
	PAAS_TEST_POSTGRES_URL="$(PAAS_TEST_POSTGRES_URL)" uv run pytest $(PYTEST_ARGS)
