# `make run` sets everything up and runs the studio; `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
# `make run` is the local demo: the login page shows the demo login (STUDIO_DEMO=false hides it).
STUDIO_DEMO ?= true

.PHONY: install run serve test lint format bench clean

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

bench: install
	$(BIN)/python bench/library.py
	$(BIN)/python bench/polling.py
	$(BIN)/python bench/load.py
	$(BIN)/python bench/range.py

clean:
	rm -rf $(VENV) var
