# `make test` and `make bench` each build .venv when it is missing.
PY ?= python3
VENV := .venv
VPY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: test test-slow bench bench-all venv clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(VPY) || $(PY) -m venv $(VENV)
	@if command -v nvidia-smi >/dev/null 2>&1 || [ -e /dev/kfd ]; then \
		$(VPY) -m pip install -q -e '.[test,bench]'; \
	else \
		$(VPY) -m pip install -q 'torch==2.13.0' && $(VPY) -m pip install -q -e '.[test,bench]'; \
	fi
	@touch $(STAMP)

test: $(STAMP)
	$(VPY) -m pytest -q

test-slow: $(STAMP)
	$(VPY) -m pytest -q -m slow

bench: $(STAMP)
	$(VPY) -m bench

bench-all: $(STAMP)
	$(VPY) -m bench --all

clean:
	rm -rf $(VENV)
