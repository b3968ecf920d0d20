# `make run` sets everything up and runs the studio; `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
# `make run` is the local demo: the login page shows the demo login (STUDIO_DEMO=false hides it).
STUDIO_DEMO ?= true

.PHONY: install run serve test lint format bench bench-faults mutation clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/python manage.py setup_demo
	STUDIO_DEMO=$(STUDIO_DEMO) $(BIN)/python manage.py run_studio

# Production: the same server without the demo (set DATABASE_URL, REDIS_URL, SECRET_KEY, ...).
serve: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/python manage.py run_studio $(or $(ADDR),127.0.0.1:8000)

test: install
	bash scripts/test.sh

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# `bench` measures speed (bench/latency.py: job finished upstream -> song playable in the
# library, with and without callbacks, real processes on loopback); `bench-faults` (separate:
# it takes a while) counts what faults cost: double-paid actions, songs lost, tasks stuck,
# server errors. SQLite + ORM broker first (one web and one queue process), then PostgreSQL +
# Redis (database studio_faults, Redis db 14) with 2 web and 2 queue processes, when reachable.
bench: install
	$(BIN)/python bench/pages.py
	@if $(BIN)/python scripts/services_up.py postgres://postgres@127.0.0.1:5432/studio_pages_bench \
	    redis://127.0.0.1:6379/14; then \
	  $(BIN)/python bench/pages.py --backend pg; \
	else echo "== SKIPPED bench/pages.py on PostgreSQL: the server is unreachable."; fi
	$(BIN)/python bench/polling.py
	$(BIN)/python bench/load.py
	$(BIN)/python bench/range.py
	$(BIN)/python bench/zip_export.py
	$(BIN)/python bench/media_storage.py
	$(BIN)/python bench/serving.py
	$(BIN)/python bench/simulator_render.py
	$(BIN)/python bench/latency.py

FAULTS_ARGS ?=
bench-faults: install
	$(BIN)/python bench/faults.py --backend sqlite $(FAULTS_ARGS)
	@if $(BIN)/python scripts/services_up.py postgres://postgres@127.0.0.1:5432/studio_faults \
	    redis://127.0.0.1:6379/14; then \
	  $(BIN)/python bench/faults.py --backend pg --web 2 --queues 2 $(FAULTS_ARGS); \
	else echo "== SKIPPED the PostgreSQL + Redis run: the servers above are unreachable."; fi

# Mutation testing (cosmic-ray) of the money and team-wall modules, each against its tests:
# prints each module's score and surviving mutants. Slow, so not in CI; one module at a
# time with MODULES="music/upstream/http.py music/views/decorators.py".
MODULES ?=
mutation: install
	$(BIN)/python scripts/mutation.py $(MODULES)

clean:
	rm -rf $(VENV) var
