# The two commands of README: `make up` runs the platform, `make test` runs the suite.
# Both first prepare the host (scripts/setup-host.sh: idempotent).
SHELL := /bin/bash
export PATH := $(HOME)/.local/bin:$(PATH)
PAAS_TEST_POSTGRES_URL ?= postgresql+psycopg://paas:paas@127.0.0.1:5432/paas_test
PYTEST_ARGS ?=

.PHONY: up test setup

setup:
	scripts/setup-host.sh

up: setup
	uv run paas-platform up

test:
	scripts/setup-host.sh --postgres
	PAAS_TEST_POSTGRES_URL="$(PAAS_TEST_POSTGRES_URL)" uv run pytest $(PYTEST_ARGS)
