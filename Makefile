# Atrium developer commands. `make run` and `make test` work on a machine with only Python.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-dev
PYTEST_ARGS ?=
# Same place settings.py uses: ATRIUM_VAR_DIR when set (.ci/run sets it), else ./var.
VAR := $(or $(ATRIUM_VAR_DIR),var)
export DJANGO_SETTINGS_MODULE := config.settings

.PHONY: venv run test lint bench api-check messages migrate seed worker clean

venv: $(STAMP)

$(STAMP): requirements/dev.txt requirements/base.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	if command -v uv >/dev/null 2>&1; then \
	  uv pip install --python $(PY) -q -r requirements/dev.txt; \
	else \
	  $(PY) -m pip install -q --upgrade pip && $(PY) -m pip install -q -r requirements/dev.txt; \
	fi
	touch $(STAMP)

migrate: venv
	mkdir -p $(VAR)
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_demo

# The whole product on embedded defaults: SQLite and files under var/, a filesystem Celery
# broker, email in var/mail/ and SMS in var/sms/. DATABASE_URL / REDIS_URL switch to the
# real services.
run: export DEBUG ?= 1
run: seed
	@if command -v msgfmt >/dev/null 2>&1; then $(PY) manage.py compilemessages -v0 --ignore=.venv; fi
	@echo "Atrium: http://127.0.0.1:8000  (worker and beat log to $(VAR)/worker.log)"
# Stop only our worker when the server ends: `kill 0` would also signal make and,
# without job control (scripts, CI), whatever started make.
	@trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT; \
	  trap 'exit 130' INT TERM; \
	  $(VENV)/bin/celery -A config worker -B --loglevel=INFO --concurrency=2 \
	    -s $(VAR)/celerybeat-schedule > $(VAR)/worker.log 2>&1 & worker=$$!; \
	  $(PY) manage.py runserver 127.0.0.1:8000

worker: venv
	$(VENV)/bin/celery -A config worker -B --loglevel=INFO -s $(VAR)/celerybeat-schedule

# Two runs: every test but the `slow` ones in one worker per CPU (at most 4; files kept
# together on one worker), then the slow ones (SIGKILLed sweepers, a PostgreSQL restart) on
# their own, since they measure recovery times that a CPU busy with other tests stretches.
# TEST_WORKERS=0 runs the first part in one process (a debugger, -x). JUNIT=var/junit
# writes var/junit.xml and var/junit-slow.xml. A run that selects no test is not a failure.
TEST_WORKERS ?= auto
JUNIT ?=
test: venv
	mkdir -p $(VAR)
	status=0; export PYTHONDONTWRITEBYTECODE=; \
	$(VENV)/bin/pytest $(if $(filter 0,$(TEST_WORKERS)),,-n $(TEST_WORKERS) --maxprocesses=4 \
	  --dist loadfile) -m "not slow" $(if $(JUNIT),--junitxml=$(JUNIT).xml) $(PYTEST_ARGS) \
	  || { rc=$$?; [ $$rc -eq 5 ] || status=$$rc; }; \
	$(VENV)/bin/pytest -m slow $(if $(JUNIT),--junitxml=$(JUNIT)-slow.xml) $(PYTEST_ARGS) \
	  || { rc=$$?; [ $$rc -eq 5 ] || status=$$rc; }; \
	exit $$status

# The same checks as .pre-commit-config.yaml and .ci/run: ruff, ruff format, the layer
# contracts (import-linter, pyproject.toml) and mypy (strict but for the older apps).
APPS := core audit notifications portal scheduling billing intake insights config
lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy $(APPS)
	@! grep -rnE '# type: ignore\[[^]]*\] *$$' --include=*.py $(APPS) \
	  || { echo "each # type: ignore[code] says why after it, on the same line"; exit 1; }

# The hot-path table (benchmarks/bench_slots_api.py: figures, goals, ratios to the floor)
# comes last, so it is what the run ends with.
# Benchmarks with goals of their own (bench_insights.py) add their rows to that table
# through the file ATRIUM_BENCH_TABLE names.
bench: venv
	@mkdir -p $(VAR); rm -f $(VAR)/bench-table.jsonl; \
	export ATRIUM_BENCH_TABLE=$(abspath $(VAR))/bench-table.jsonl; \
	for f in $(filter-out benchmarks/bench_slots_api.py,$(wildcard benchmarks/bench_*.py)) \
	  benchmarks/bench_slots_api.py; do echo "== $$f"; $(PY) $$f || exit 1; done

# schemathesis against /api/slots/ and /api/bookings/ (scheduling/openapi.json) on gunicorn.
api-check: venv
	./.ci/api-check

messages: venv
	$(PY) manage.py makemessages -l pl -l es -l ru -l en --no-location --no-obsolete \
	  --ignore=.venv --ignore=var --ignore=node_modules --ignore=tests --ignore=benchmarks
	$(PY) manage.py compilemessages --ignore=.venv

clean:
	rm -rf var
