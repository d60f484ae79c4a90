# Two commands set everything up on a fresh machine with Python 3.11:
#   make demo   — create .venv, install akimwatch, build the demo store and print its tables
#   make test   — install test extras and system packages the tests need, run the whole suite
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
DEMO_DIR ?= demo-output

.PHONY: demo test install install-test system-deps lint catalogs bench bench-report bench-web serve clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install -q -e .

install-test: $(BIN)/python
	$(BIN)/pip install -q -e ".[test]"

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
	rm -rf $(VENV) $(DEMO_DIR) .pytest_cache .ruff_cache
