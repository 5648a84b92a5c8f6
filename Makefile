# Tandem: `make run` (install, migrate, demo data, serve on http://127.0.0.1:8000) and
# `make test` (install, lint, dependency contracts, the whole test suite).
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1:8000
# Test processes in parallel (pytest-xdist): `auto` = one per core, `0` = the suite in this process.
TEST_WORKERS ?= auto

.PHONY: install run run-empty test lint format messages bench clean

$(BIN)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --disable-pip-version-check -q -e '.[dev]'
	touch $@

node_modules/.installed: package.json
	if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi
	touch $@

install: $(BIN)/.installed node_modules/.installed
	@mkdir -p var
	@DEBUG=1 LOG_LEVEL=ERROR $(BIN)/python manage.py compilemessages --ignore=.venv --ignore=node_modules -v 0

# While `make run` loads the demo, its e-mails are written to files (var/mail/, EMAIL_FILE_PATH)
# instead of the console and the tasks it runs in-process log only errors: the load prints one
# line per step. The scheduler logs only what goes wrong.
DEMO_ENV := LOG_LEVEL=ERROR EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend

run: install
	@DEBUG=1 LOG_LEVEL=ERROR $(BIN)/python manage.py migrate --noinput -v 0
	@DEBUG=1 $(DEMO_ENV) $(BIN)/python manage.py load_demo
	@echo "Tandem: http://$(HOST)/"
	@DEBUG=1 LOG_LEVEL=WARNING $(BIN)/python manage.py run_scheduler & \
	  trap 'kill $$! 2>/dev/null' EXIT INT TERM; \
	  DEBUG=1 $(BIN)/python manage.py runserver $(HOST) --noreload

# An empty company on a SQLite file of its own (var/empty.sqlite3; the demo's stays as it is):
# the first admin without a password, the link to choose one and the set-up wizard's address.
# Run again, it keeps what was set up (and prints a new link while no password is chosen);
# delete the file to start over.
EMPTY_ENV := DATABASE_URL=sqlite:///$(CURDIR)/var/empty.sqlite3 SITE_URL=http://$(HOST)

run-empty: install
	@DEBUG=1 LOG_LEVEL=ERROR $(EMPTY_ENV) $(BIN)/python manage.py migrate --noinput -v 0
	@DEBUG=1 $(EMPTY_ENV) $(BIN)/python manage.py start_empty --resume
	@echo "Tandem (empty company): http://$(HOST)/"
	@DEBUG=1 LOG_LEVEL=WARNING $(EMPTY_ENV) $(BIN)/python manage.py run_scheduler & \
	  trap 'kill $$! 2>/dev/null' EXIT INT TERM; \
	  DEBUG=1 $(EMPTY_ENV) $(BIN)/python manage.py runserver $(HOST) --noreload

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

test: install lint
	DEBUG=1 $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

format:
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Apps keep their own catalogue in <app>/locale/zh_Hans; the root locale/ holds config, core,
# the events app and the shared templates.
APP_LOCALES := $(patsubst %/locale,%,$(wildcard crm/*/locale scm/*/locale finance/locale integration/*/locale))
# The root catalogue's scope: everything except the modules (they keep their own catalogues).
ROOT_MESSAGES_IGNORE := .venv node_modules var tests bench test-artifacts crm scm finance \
  integration/fulfilment integration/rules integration/planning integration/aftersales integration/insights integration/setup
messages:
	DEBUG=1 $(BIN)/python manage.py makemessages -l zh_Hans --no-obsolete \
	  $(addprefix --ignore=,$(ROOT_MESSAGES_IGNORE))
	for app in $(APP_LOCALES); do \
	  (cd $$app && DEBUG=1 $(CURDIR)/$(BIN)/python $(CURDIR)/manage.py makemessages -l zh_Hans --no-obsolete) || exit 1; \
	done
	DEBUG=1 $(BIN)/python manage.py compilemessages --ignore=.venv --ignore=node_modules

bench: install
	@for f in bench/bench_*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

clean:
	rm -rf var/tandem.sqlite3* var/empty.sqlite3* var/static
