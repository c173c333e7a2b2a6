# The two commands of the README: `make run` (the service on SQLite) and `make test`.
# Both bootstrap everything: system libraries for PDF letters, uv, and the locked venv.

SHELL := /bin/bash
UV_VERSION := 0.13.8
UV := $(shell command -v uv 2>/dev/null)
ifeq ($(UV),)
UV := python3 -m uv
endif
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install system-deps run test check lint typecheck format bench clean

install: system-deps .venv/.synced

system-deps:
	@bash scripts/install-system-deps.sh

.venv/.synced: pyproject.toml uv.lock
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 || \
		python3 -m pip install --quiet "uv==$(UV_VERSION)"
	# Bytecode compiled once here: where PYTHONDONTWRITEBYTECODE is set (CI images, containers)
	# every start-up and every `osteoref score` would otherwise compile the libraries again.
	$(UV) sync --frozen --compile-bytecode
	@touch $@

run: install
	$(UV) run osteoref serve --host $(HOST) --port $(PORT)

lint: install
	$(UV) run ruff check .
	$(UV) run ruff format --check .

typecheck: install
	$(UV) run mypy

check: lint typecheck

test: check
	$(UV) run pytest

format: install
	$(UV) run ruff format .
	$(UV) run ruff check --fix .

bench: install
	for b in benchmarks/bench_*.py; do echo "== $$b"; $(UV) run python $$b || exit 1; done

clean:
	rm -rf .venv .mypy_cache .ruff_cache .pytest_cache .hypothesis
