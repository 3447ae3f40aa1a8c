# The two commands: `make demo` (set up everything and serve the product) and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
REQUIREMENTS_HASH := $(shell cat requirements.txt requirements-dev.txt | sha1sum | cut -c1-12)
INSTALLED := $(VENV)/.installed-$(REQUIREMENTS_HASH)
MANAGE := $(BIN)/python manage.py
TEST_SETTINGS := --settings=dashboard_project.settings.test
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install lint format check test demo serve bench browser screenshots architecture mutation clean

$(INSTALLED): requirements.txt requirements-dev.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	@rm -f $(VENV)/.installed-*
	@touch $@

install: $(INSTALLED)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check: install
	$(MANAGE) check $(TEST_SETTINGS)
	$(MANAGE) makemigrations --check --dry-run $(TEST_SETTINGS)
	SECRET_KEY="$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
	ALLOWED_HOSTS=dashboard.example.com DATABASE_URL=postgres://user:pass@db.example.com/dashboard \
	$(MANAGE) check --deploy --fail-level WARNING --settings=dashboard_project.settings.production

# Debian's Chromium drives the end-to-end tests; installed here when missing (needs root or sudo).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium >/dev/null; }

test: lint check browser
	$(BIN)/pytest

demo: install
	$(MANAGE) migrate --no-input
	HOST=$(HOST) PORT=$(PORT) scripts/demo.sh

# Serves the product and runs the django-q2 cluster beside it. Ctrl-C stops both; the cluster is
# stopped by signalling its main process only (a signal to the whole group can leave it hanging).
serve: install
	@$(MANAGE) qcluster & QCLUSTER=$$!; \
	trap 'kill -TERM $$QCLUSTER 2>/dev/null; wait $$QCLUSTER 2>/dev/null' EXIT INT TERM; \
	$(MANAGE) runserver $(HOST):$(PORT) --noreload

# The README's screenshots, from a running demo (`make demo` in another terminal).
SCREENSHOTS_URL ?= http://$(HOST):$(PORT)
screenshots: install browser
	$(BIN)/python scripts/screenshots.py --base-url $(SCREENSHOTS_URL)

bench: install
	$(MANAGE) migrate --no-input -v0
	$(MANAGE) bench

# docs/architecture.md, drawn from the import-linter contracts in pyproject.toml.
architecture: install
	$(BIN)/python scripts/architecture.py

# Mutation testing (slow; not part of `make test`): mutmut mutates the Python logic of cleaning,
# validation, formulas and scoping ([tool.mutmut] in pyproject.toml) and runs the tests that pin
# them against each mutant, then prints the score per module. Installed here only, not by `install`.
MUTMUT := mutmut==3.8.1
MUTATION_CHILDREN ?= 2
# The copy under mutants/ starts its own embedded PostgreSQL: stopped before the copy is
# replaced and once the run is over.
STOP_MUTANTS_DB = $(BIN)/python scripts/stop_embedded_db.py mutants/var/pgdata 2>/dev/null
mutation: install
	@$(BIN)/python -c 'import mutmut' 2>/dev/null || $(BIN)/python -m pip install --quiet $(MUTMUT)
	@$(STOP_MUTANTS_DB)
	rm -rf mutants
	$(BIN)/mutmut run --max-children $(MUTATION_CHILDREN) >/dev/null 2>&1 || true
	@$(STOP_MUTANTS_DB)
	$(BIN)/python scripts/mutation_scores.py

clean:
	rm -rf mutants $(VENV) var staticfiles .pytest_cache .mypy_cache .ruff_cache
