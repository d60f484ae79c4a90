# Two commands set everything up on a fresh machine with Python 3.11:
#   make demo   — create .venv, install akimwatch, build the demo store and print its tables
#   make test   — install test extras and system packages the tests need, run the whole suite
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
DEMO_DIR ?= demo-output

.PHONY: demo test install install-test lock lock-check system-deps lint catalogs bench bench-report bench-web serve clean

# Installs come from the lock (requirements/*.txt: exact versions with hashes, made by `make lock`), so a new
# release upstream cannot change what main installs; pyproject.toml keeps the ranges for library users.
PIP_PINNED = pip==26.3
LOCK_TOOL = pip-tools==7.6.2
COMPILE = $(LOCK_VENV)/bin/pip-compile -q --generate-hashes --allow-unsafe --no-emit-index-url --no-emit-find-links --strip-extras
LOCK_VENV ?= .venv-lock

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install -qq $(PIP_PINNED)

install: $(BIN)/python
	$(BIN)/pip install -qq --require-hashes -r requirements/build.txt -r requirements/main.txt
	$(BIN)/pip install -qq --no-deps --no-build-isolation -e .

install-test: $(BIN)/python
	$(BIN)/pip install -qq --require-hashes -r requirements/build.txt -r requirements/test.txt
	$(BIN)/pip install -qq --no-deps --no-build-isolation -e .

# Refresh the lock after changing dependencies in pyproject.toml (tests/test_lock.py fails while they disagree).
lock:
	test -x $(LOCK_VENV)/bin/pip-compile || ($(PYTHON) -m venv $(LOCK_VENV) && $(LOCK_VENV)/bin/pip install -q $(LOCK_TOOL))
	$(COMPILE) -o requirements/build.txt requirements/build.in
	$(COMPILE) -o requirements/main.txt pyproject.toml
	$(COMPILE) --extra test -o requirements/test.txt pyproject.toml

lock-check: install-test
	$(BIN)/python -m pytest -q tests/test_lock.py

demo: install
	$(BIN)/akimwatch demo --dir $(DEMO_DIR)

# Debian packages: chromium (web and report browser tests), poppler-utils (pdftoppm: PDF report pages),
# pango + fonts (WeasyPrint renders the PDF report with them).
SYSTEM_PACKAGES = chromium poppler-utils libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core fonts-liberation
system-deps:
	(command -v chromium && command -v pdftoppm && ldconfig -p | grep -q libpangoft2 \
	  && fc-list | grep -qi dejavu) >/dev/null || (apt-get update && apt-get install -y $(SYSTEM_PACKAGES))

test: install-test system-deps
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q

lint: install-test
	$(BIN)/ruff check .

# Translations (web app, reports, metrics): extract the English ids → update locale/{ru,kk,en}/.../akimwatch.po →
# compile the .mo. Translate the new empty ru/kk entries, then run it again to compile them (docs/reports.md).
catalogs: install-test
	$(BIN)/python -m akimwatch.catalogs

# Every benchmark prints its figures and, last, a ratio against a reference measured in the same run.
bench: install
	$(BIN)/python benchmarks/ingest.py
	$(BIN)/python benchmarks/classify.py
	$(BIN)/python benchmarks/metrics.py
	$(BIN)/python benchmarks/report.py
	$(BIN)/python benchmarks/web.py

bench-report: install
	$(BIN)/python benchmarks/report.py

bench-web: install
	$(BIN)/python benchmarks/web.py

serve: install
	$(BIN)/akimwatch serve

clean:
	rm -rf $(VENV) $(LOCK_VENV) $(DEMO_DIR) .pytest_cache .ruff_cache
