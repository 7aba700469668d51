# syntax=docker/dockerfile:1
FROM golang:1.26-bookworm AS build
# go.mod pins go1.27.3 (stdlib fixes); the image's Go fetches it from the module proxy.
ENV GOTOOLCHAIN=go1.27.3
RUN apt-get update && apt-get install -y --no-install-recommends nodejs npm && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY go.mod go.sum package.json package-lock.json .npmrc ./
RUN go mod download && npm ci --ignore-scripts --no-audit --no-fund
COPY . .
# *_templ.go are committed and checked fresh in CI, so no generate step here.
RUN make assets && CGO_ENABLED=1 go build -tags sqlite_fts5 -trimpath -ldflags="-s -w" -o /out/web ./cmd/web \
    && CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/simulator ./cmd/simulator \
    && CGO_ENABLED=1 go build -tags sqlite_fts5 -trimpath -ldflags="-s -w" -o /out/copydb ./cmd/copydb \
    && mkdir -p /out/data

# glibc base: go-sqlite3 needs cgo. Same Debian release as the builder.
FROM gcr.io/distroless/base-debian12:nonroot
COPY --from=build /out/web /web
COPY --from=build /out/simulator /simulator
COPY --from=build /out/copydb /copydb
COPY --from=build --chown=65532:65532 /out/data /data
ENV ADDR=:8080 DATABASE_PATH=/data/dashboard.db
EXPOSE 8080
VOLUME /data
USER nonroot:nonroot
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 CMD ["/web", "-healthcheck", "http://127.0.0.1:8080/healthz"]
ENTRYPOINT ["/web"]
