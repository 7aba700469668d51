SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DELETE_ON_ERROR:

VENDOR := static/vendor
ASSETS := $(VENDOR)/htmx.min.js $(VENDOR)/sse.min.js
# npm ci writes node_modules/.package-lock.json: it is the install stamp.
NPM_STAMP := node_modules/.package-lock.json
# Browser tests drive Debian's Chromium; override CHROMIUM to point elsewhere.
CHROMIUM ?= /usr/bin/chromium
export CGO_ENABLED := 1
# go.mod's toolchain line: go1.26.8's standard library has vulnerabilities this server reaches (a Range header
# amplification on static files among them). The go command fetches go1.27.3 from the module proxy once per
# machine; the variable is exported because a machine with GOTOOLCHAIN=local would ignore the go.mod line.
export GOTOOLCHAIN := go1.27.3
# FTS5 powers the activity log's full-text search; every go command needs the same tags.
export GOFLAGS := -tags=sqlite_fts5

.PHONY: all deps assets generate check-generated build run simulator cluster copydb test test-short lint vuln fuzz bench chromium postgresql clean
# Each fuzz target runs this long in `make fuzz` (CI runs it too): bounded, so CI stays bounded.
FUZZTIME ?= 20s
all: build

$(NPM_STAMP): package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund

$(VENDOR)/htmx.min.js: $(NPM_STAMP)
	install -D -m 0644 node_modules/htmx.org/dist/htmx.min.js $@
$(VENDOR)/sse.min.js: $(NPM_STAMP)
	install -D -m 0644 node_modules/htmx-ext-sse/dist/sse.min.js $@

assets: $(ASSETS)

deps: assets
	go mod download

generate:
	go tool templ generate

# git status (not git diff) also catches generated files that are new and untracked.
check-generated: generate
	@if [ -n "$$(git status --porcelain -- '*_templ.go')" ]; then \
	  git status --short -- '*_templ.go'; git --no-pager diff -- '*_templ.go'; \
	  echo "templ output is stale: run 'make generate' and commit"; exit 1; fi

build: deps generate
	go build -trimpath -o bin/web ./cmd/web
	go build -trimpath -o bin/simulator ./cmd/simulator
	go build -trimpath -o bin/copydb ./cmd/copydb

run: deps generate
	go run ./cmd/web

simulator: deps
	go run ./cmd/simulator

# A throwaway two-instance deployment on this machine: PostgreSQL (Debian's postgresql package, in a temporary
# folder, 127.0.0.1 only), instances A and B on ports 8081 and 8082 (CLUSTER_ARGS="-port-a 0 -port-b 0": any free
# ports), the simulator delivering webhooks to A. Ctrl-C stops it all and removes everything it stored.
CLUSTER_ARGS ?=
cluster: deps generate postgresql
	go build -trimpath -o bin/web ./cmd/web
	go run ./cmd/cluster -web bin/web $(CLUSTER_ARGS)

# Copies an SQLite database into an empty PostgreSQL database: make copydb FROM=./data/dashboard.db TO=postgres://…
# (stop the dashboard first; the target is migrated, then filled in one transaction).
copydb: deps
	@if [ -z "$(FROM)" ] || [ -z "$(TO)" ]; then echo "usage: make copydb FROM=path/to/dashboard.db TO=postgres://user:pass@host/db"; exit 2; fi
	go run ./cmd/copydb -from "$(FROM)" -to "$(TO)"

# Installs Debian's Chromium for the browser tests when it is missing (needs root and the package mirror).
chromium:
	@if [ ! -x "$(CHROMIUM)" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium; \
	  else echo "warning: $(CHROMIUM) not found and cannot install it: browser tests will fail"; fi; fi

# The PostgreSQL store's tests start their own throwaway cluster (db/pgtest) with Debian's initdb and pg_ctl.
postgresql:
	@if ! command -v pg_ctl >/dev/null && ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql; \
	  else echo "warning: PostgreSQL (initdb, pg_ctl) not found and cannot install it: its tests will skip (fail with CI=true)"; fi; fi

# The second run is the db suite again, on PostgreSQL (DB_TEST_DIALECT=postgres: newStore opens a PostgreSQL
# store). Without PostgreSQL its tests skip, except under CI=true (set by CI), where they fail.
test: deps generate chromium postgresql
	CHROMIUM=$(CHROMIUM) REQUIRE_BROWSER=1 go test -race -count=1 -timeout 20m ./...
	DB_TEST_DIALECT=postgres go test -race -count=1 -timeout 10m ./db

test-short: deps generate
	go test -short -count=1 ./...

# Webhook ingest, live push and activity-log benchmarks (cmd/bench); writes BENCHMARKS.md. Takes about 11 minutes
# and a few GB of temporary disk in ./.bench-* (removed at the end).
bench: deps
	go run ./cmd/bench -out BENCHMARKS.md

# govulncheck (pinned in go.mod's tool block) reports known vulnerabilities in the code paths the binaries reach.
# It needs its database (VULNDB); where that cannot be reached (this project's CI machines among them) lint warns
# and goes on; once the database answers, a finding fails lint, under CI=true as anywhere else.
VULNDB ?= https://vuln.go.dev
lint: deps
	go vet ./...
	go tool staticcheck ./...
	@$(MAKE) --no-print-directory vuln VULN_OFFLINE=warn

# `make vuln` alone fails when the database cannot be reached (VULN_OFFLINE=warn, as lint sets it, warns instead).
VULN_OFFLINE ?= fail
vuln: deps
	@out=$$(go tool govulncheck -db '$(VULNDB)' ./... 2>&1) && { echo "govulncheck: no vulnerabilities reached"; exit 0; }; \
	if grep -q 'fetching vulnerabilities' <<<"$$out"; then \
	  echo "$$(tail -n 1 <<<"$$out")"; \
	  if [ '$(VULN_OFFLINE)' = warn ]; then echo "warning: govulncheck could not reach its database at $(VULNDB): vulnerabilities NOT checked"; exit 0; fi; \
	  echo "make vuln: govulncheck could not reach its database at $(VULNDB) (set VULNDB to a reachable mirror)"; exit 1; fi; \
	echo "$$out"; echo "make vuln: govulncheck found vulnerabilities (above)"; exit 1

# go test -fuzz takes one target per run.
fuzz: deps
	go test -run '^$$' -fuzz '^FuzzParseEvent$$' -fuzztime $(FUZZTIME) ./smarthome
	go test -run '^$$' -fuzz '^FuzzVerifySignature$$' -fuzztime $(FUZZTIME) ./smarthome
	go test -run '^$$' -fuzz '^FuzzString$$' -fuzztime $(FUZZTIME) ./domain/clip
	go test -run '^$$' -fuzz '^FuzzActivityQuery$$' -fuzztime $(FUZZTIME) ./handlers
	go test -run '^$$' -fuzz '^FuzzLockCodeForm$$' -fuzztime $(FUZZTIME) ./handlers
	go test -run '^$$' -fuzz '^FuzzDeviceQuery$$' -fuzztime $(FUZZTIME) ./handlers

clean:
	rm -rf bin $(ASSETS) node_modules
