# syntax=docker/dockerfile:1
# Varco's container image (docs/operations/README.md). Two stages: the build stage runs
# deploy/build-app.sh (the same script the test suite runs on a clean copy), the runtime stage holds
# only its output and runs as an unprivileged user. Configuration only through VARCO_* (and
# DATABASE_URL, OTEL_*) environment variables; state in PostgreSQL, the data directory a volume.

FROM node:24-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
COPY bin ./bin
COPY src ./src
COPY migrations ./migrations
COPY deploy ./deploy
RUN deploy/build-app.sh /src /app

FROM node:24-slim
ENV NODE_ENV=production \
    VARCO_DATA_DIR=/var/lib/varco \
    VARCO_HOST=0.0.0.0 \
    VARCO_PORT=8443
RUN groupadd --system --gid 10001 varco \
 && useradd --system --uid 10001 --gid varco --home-dir /var/lib/varco --shell /usr/sbin/nologin varco \
 && mkdir -p /var/lib/varco && chown varco:varco /var/lib/varco
WORKDIR /app
COPY --from=build --chown=root:root /app /app
USER varco
VOLUME ["/var/lib/varco"]
EXPOSE 8443
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 CMD ["node", "deploy/healthcheck.mjs"]
# `docker run … varco node src/main/worker.js` for a delivery worker; `… node bin/varco.js doctor` to check an install.
# --max-semi-space-size=16: V8 otherwise grows the young generation to 128 MB under load and keeps it
# (RSS ~290 MB instead of ~215 MB; no measurable CPU cost: docs/benchmarks.md, issue 15).
CMD ["node", "--max-semi-space-size=16", "src/main/server.js"]
