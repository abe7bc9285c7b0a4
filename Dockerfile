# syntax=docker/dockerfile:1
#
# shipgate: a static binary on distroless, running as a non-root user.
#
#   docker build -t shipgate .
#   docker run --rm -p 8080:8080 -v "$PWD/shipgate.yaml:/etc/shipgate/shipgate.yaml:ro" \
#     -e SHIPGATE_CONFIG=/etc/shipgate/shipgate.yaml -e UPS_CLIENT_SECRET=... shipgate
#
# The image listens on 0.0.0.0:8080 (SHIPGATE_ADDR), so it needs api_keys in
# its configuration: without keys, serve refuses any non-loopback address.
# Make one with (ENTRYPOINT is "shipgate serve", hence --entrypoint):
#   docker run --rm --entrypoint /shipgate shipgate keys new --name NAME --scopes rates

ARG GO_VERSION=1.26
FROM golang:${GO_VERSION}-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
ARG VERSION=dev
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 GOOS=linux go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/shipgate ./cmd/shipgate \
 && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/shipgate /shipgate
# The working directory holds the embedded default's SQLite database
# (./shipgate-data/); mount a volume there, or use PostgreSQL.
COPY --from=build --chown=nonroot:nonroot /out/data /var/lib/shipgate
WORKDIR /var/lib/shipgate
USER nonroot:nonroot
ENV SHIPGATE_ADDR=0.0.0.0:8080
EXPOSE 8080
ENTRYPOINT ["/shipgate", "serve"]
