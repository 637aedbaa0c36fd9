PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
# The embedded default for `make run`: SQLite, in-memory channel layer, LocMem cache.
RUN_ENV := DEBUG=1

.PHONY: run test contract messages clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

run: $(VENV)/.installed
	$(RUN_ENV) $(BIN)/python manage.py migrate --noinput
	$(RUN_ENV) $(BIN)/python manage.py seed_demo
	$(RUN_ENV) $(BIN)/python manage.py schedule_periodic
	# The task worker runs beside the server and stops with it.
	trap 'kill 0' EXIT; $(RUN_ENV) $(BIN)/python manage.py db_worker --interval 2 & \
		$(RUN_ENV) $(BIN)/python manage.py runserver 127.0.0.1:8000

test: $(VENV)/.installed
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Regenerates the committed OpenAPI file, and captures a real example of each server
# WebSocket frame from the tests.
contract: $(VENV)/.installed
	$(RUN_ENV) $(BIN)/python manage.py spectacular --validate --fail-on-warn --file frontend-contract/openapi.yaml
	rm -rf frontend-contract/websocket/examples
	VOISINS_CAPTURE_EXAMPLES=1 $(BIN)/python -m pytest -q tests/chat tests/test_asgi.py tests/moderation/test_live.py tests/cities/test_live.py tests/privacy/test_live.py

# After changing the strings of the pages (backend/web): extracts them, fills English,
# lists missing French, compiles the committed .mo files. Needs GNU gettext.
messages: $(VENV)/.installed
	$(RUN_ENV) $(BIN)/python manage.py web_messages

clean:
	rm -rf $(VENV) var db.sqlite3
