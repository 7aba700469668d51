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
# FTS5 powers the activity log's full-text search; every go command needs the same tags.
export GOFLAGS := -tags=sqlite_fts5

.PHONY: all deps assets generate check-generated build run simulator test test-short lint fuzz bench chromium clean
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

run: deps generate
	go run ./cmd/web

simulator: deps
	go run ./cmd/simulator

# Installs Debian's Chromium for the browser tests when it is missing (needs root and the package mirror).
chromium:
	@if [ ! -x "$(CHROMIUM)" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium; \
	  else echo "warning: $(CHROMIUM) not found and cannot install it: browser tests will fail"; fi; fi

test: deps generate chromium
	CHROMIUM=$(CHROMIUM) REQUIRE_BROWSER=1 go test -race -count=1 -timeout 20m ./...

test-short: deps generate
	go test -short -count=1 ./...

# Webhook ingest, live push and activity-log benchmarks (cmd/bench); writes BENCHMARKS.md. Takes about 5 minutes
# and a few GB of temporary disk in ./.bench-* (removed at the end).
bench: deps
	go run ./cmd/bench -out BENCHMARKS.md

lint: deps
	go vet ./...
	go tool staticcheck ./...

# go test -fuzz takes one target per run.
fuzz: deps
	go test -run '^$$' -fuzz '^FuzzParseEvent$$' -fuzztime $(FUZZTIME) ./smarthome
	go test -run '^$$' -fuzz '^FuzzVerifySignature$$' -fuzztime $(FUZZTIME) ./smarthome
	go test -run '^$$' -fuzz '^FuzzActivityQuery$$' -fuzztime $(FUZZTIME) ./handlers
	go test -run '^$$' -fuzz '^FuzzLockCodeForm$$' -fuzztime $(FUZZTIME) ./handlers

clean:
	rm -rf bin $(VENDOR) node_modules
