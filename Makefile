# thoughtgym: `make run` sets everything up and runs the demo; `make test` sets everything up and runs the tests.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: run test setup setup-python setup-docker lint bench clean

run: setup-python
	$(PY) -m thoughtgym.cli demo

test: setup
	$(PY) -m pytest -q

setup: setup-python setup-docker

setup-python: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[dev]"
	touch $@

# Installs Debian's docker.io when missing, starts dockerd when no engine answers, builds the sandbox image.
setup-docker: setup-python
	PYTHON=$(PY) bash .ci/docker.sh

lint: setup-python
	$(PY) -m ruff check .

bench: setup
	$(PY) benchmarks/bench_equivalence.py
	$(PY) benchmarks/bench_first_error.py
	$(PY) benchmarks/bench_math_env.py
	$(PY) benchmarks/bench_sandbox.py

clean:
	rm -rf $(VENV) runs build *.egg-info
