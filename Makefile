# The single entry point: `make run` and `make test` work on a fresh clone.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
# Disk-image tools (mkfs.fat, debugfs...) live in sbin.
export PATH := $(PATH):/usr/sbin:/sbin
# The tests run as production does (audit/roles.py): as scelle_app, a role that owns nothing and may
# only read and append to the audit log; scelle_owner creates and migrates the test database
# (bin/services creates both roles).
TEST_ENV := DATABASE_URL=$${TEST_DATABASE_URL:-postgresql://scelle_app@127.0.0.1:5432/scelle} \
	DATABASE_OWNER_URL=$${TEST_DATABASE_OWNER_URL:-postgresql://scelle_owner@127.0.0.1:5432/scelle} \
	CELERY_BROKER_URL=$${TEST_BROKER_URL:-redis://127.0.0.1:6379/15} SECRET_KEY=test-only-not-secret \
	AUDIT_CHAIN_KEY=test-only-not-secret-audit-chain-key
# The embedded default of `make run` (SQLite, kombu's file-system broker), in a var/ of its own so that
# a developer's demo data is never touched; tests marked `postgresql` skip themselves there
# (tests/conftest.py). EMBEDDED_DESELECT: pytest options leaving tests out of the embedded run. None are
# left out: on a 2-core machine it took 9 min 41 s (689 passed, 52 skipped), `make test` about 10 min.
EMBEDDED_UNSET := -u DATABASE_URL -u DATABASE_OWNER_URL -u CELERY_BROKER_URL -u SCELLE_DEPLOYMENT \
	-u EVIDENCE_ROOT -u HASHLIST_ROOT -u DERIVED_ROOT -u EVIDENCE_SOURCES -u UPLOAD_TEMP_ROOT
EMBEDDED_DESELECT ?=
# The benchmarks make and drop databases of their own (bench/run.py) as the superuser.
BENCH_ENV := CELERY_BROKER_URL=$${TEST_BROKER_URL:-redis://127.0.0.1:6379/15} SECRET_KEY=test-only-not-secret

.PHONY: install install-dev run test test-embedded lint imports-check format bench migrations-check clean

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

run: install
	bin/system-packages --runtime || echo "Could not install the PDF libraries: PDF reports will explain what is missing."
	PORT=$(PORT) bin/run

# The import contract runs first: a broken layer order fails CI (.ci/run) before a test runs.
test: install-dev imports-check
	bin/system-packages
	bin/services
	$(TEST_ENV) $(VENV)/bin/pytest

test-embedded: install-dev
	bin/system-packages
	var=$$(mktemp -d -t scelle-embedded.XXXXXX) && trap 'rm -rf "$$var"' EXIT && \
	env $(EMBEDDED_UNSET) SCELLE_VAR_DIR="$$var" SECRET_KEY=test-only-not-secret \
		AUDIT_CHAIN_KEY=test-only-not-secret-audit-chain-key $(VENV)/bin/pytest $(EMBEDDED_DESELECT)

lint: install-dev imports-check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# The layer order of ARCHITECTURE.md, as contracts in pyproject.toml ([tool.importlinter]); imports
# inside functions count too.
imports-check: install-dev
	$(VENV)/bin/lint-imports

format: install-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

migrations-check: install
	$(PY) manage.py makemigrations --check --dry-run

bench: install-dev
	bin/system-packages
	bin/services
	$(BENCH_ENV) $(PY) bench/run.py

clean:
	rm -rf var/ $(VENV)
