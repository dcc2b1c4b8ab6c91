#!/usr/bin/env bash
# Builds Varco's runtime tree: the files the server needs and its production dependencies, nothing
# else (no tests, no dev dependencies, no docs). The Dockerfile's build stage runs exactly this
# script, and the test suite runs it on a clean copy of the repository (test/platform/image.test.ts),
# so the image's build steps cannot rot where no container engine runs.
#   deploy/build-app.sh SOURCE_DIR TARGET_DIR
set -euo pipefail
src=$(cd "${1:?usage: build-app.sh SOURCE_DIR TARGET_DIR}" && pwd)
dest=${2:?usage: build-app.sh SOURCE_DIR TARGET_DIR}
mkdir -p "$dest"
dest=$(cd "$dest" && pwd)
for part in package.json package-lock.json bin src migrations deploy/healthcheck.mjs; do
  mkdir -p "$dest/$(dirname "$part")"
  cp -R "$src/$part" "$dest/$part"
done
# Unit tests live next to some modules; they are not part of the runtime.
find "$dest/src" -name '*.test.ts' -delete
cd "$dest"
# Exactly the lockfile's versions; devDependencies (TypeScript, ESLint, Playwright…) left out.
npm ci --omit=dev --no-audit --no-fund --loglevel=error
echo "Varco runtime built in $dest"
