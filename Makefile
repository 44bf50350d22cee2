# The two commands of the README: `make demo` runs the project, `make test` runs the tests.
# Both set up everything themselves on a fresh machine (a virtualenv in .venv).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PG_URL ?= postgres://postgres@127.0.0.1:5432/casino
PORT ?= 8000

.PHONY: install demo test test-postgres test-sqlite lint bench check-ledger clean

$(BIN)/activate: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(BIN)/activate

install: $(BIN)/activate

# The demo: embedded SQLite, migrated, demo operator/players/admin printed, PLATFORM simulator.
demo: install
	DJANGO_DEBUG=true $(BIN)/python manage.py demo --port $(PORT)

# The whole suite on PostgreSQL and everything but the concurrency tests on SQLite, the two at
# once (much of a run waits on servers, browsers and the database; each output is printed whole
# when its run ends). `make test-postgres` or `make test-sqlite` runs one.
test: install
	$(MAKE) --no-print-directory -j2 --output-sync=target test-postgres test-sqlite

# (The test database's creation and migration run under a generous statement timeout; the
# wallet's own timeouts are exercised by the tests that need them.)
test-postgres: install
	DATABASE_URL=$(PG_URL) DB_STATEMENT_TIMEOUT_MS=30000 $(BIN)/pytest -q

test-sqlite: install
	DATABASE_URL= $(BIN)/pytest -q -m "not postgres"

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DJANGO_DEBUG=true $(BIN)/mypy .  # django-stubs loads the settings

bench: install
	$(BIN)/python -m bench.wallet_bench $(BENCH_ARGS)

check-ledger: install
	$(BIN)/python manage.py check_ledger

clean:
	rm -rf $(VENV) db.sqlite3 data staticfiles
