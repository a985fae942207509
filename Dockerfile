# syntax=docker/dockerfile:1

# beianbot: a static binary on a distroless, non-root base.
#   docker build -t beianbot .
#   docker run --rm --env-file .env -p 8080:8080 beianbot
# The default FAQ, lexicon and IP region data are embedded in the binary.

ARG GO_VERSION=1.26

# ---- build ------------------------------------------------------------------
FROM golang:${GO_VERSION} AS build
WORKDIR /src

# Modules first, so source edits do not download them again.
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download

COPY . .
# CGO off: a static binary that runs without a C library.
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/beianbot ./cmd/beianbot
# The runtime image has no shell to make the data folder with.
RUN mkdir -p /out/data

# ---- runtime ----------------------------------------------------------------
# distroless/static: CA certificates, tzdata and /etc/passwd with "nonroot"
# (uid 65532); no shell, no package manager, no curl. About 2 MB plus the binary.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/beianbot /usr/local/bin/beianbot
# Recorded questions, feedback and taught phrasings (SQLite); mount a volume
# here to keep them (docs/learning.md).
COPY --from=build --chown=nonroot:nonroot /out/data /data
WORKDIR /data
USER nonroot:nonroot
ENV BEIANBOT_HTTP_ADDR=:8080
ENV BEIANBOT_DATABASE_URL=/data/beianbot.db
EXPOSE 8080
# The image has no curl: the binary probes its own /healthz.
HEALTHCHECK --interval=15s --timeout=5s --start-period=10s --retries=3 \
    CMD ["/usr/local/bin/beianbot", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/beianbot"]
CMD ["run"]
