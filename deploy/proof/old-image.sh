#!/usr/bin/env bash
# Builds the hirebox image of an earlier commit for the upgrade proof and prints its tag.
#   deploy/proof/old-image.sh [COMMIT]
# COMMIT defaults to the parent of the newest commit that added a migration, so the
# upgrade always has at least one migration to apply. The old sources are built with the
# current Dockerfile: older Dockerfiles cannot take the proxy CA as a build secret.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT"
commit=${1:-$(git log -1 --format=%H --diff-filter=A -- migrations)^}
commit=$(git rev-parse --short=12 "$commit")
tag="old-$commit"
if ! podman image exists "localhost/hirebox:$tag"; then
  src=$(mktemp -d)
  trap 'rm -rf "$src"' EXIT
  git archive "$commit" | tar -x -C "$src"
  mkdir -p "$src/ops/scripts"
  cp Dockerfile .dockerignore "$src/"
  cp ops/scripts/with-ca.sh "$src/ops/scripts/with-ca.sh"
  bud -q -f "$src/Dockerfile" --build-arg NODE_IMAGE=localhost/node:24-bookworm-slim -t "localhost/hirebox:$tag" "$src" >&2
fi
# Caddy and the stand-ins do not change between the two; the compose file names them by the same tag.
podman tag "localhost/hirebox-caddy:${HIREBOX_VERSION:-local}" "localhost/hirebox-caddy:$tag"
printf '%s %s %s\n' "$tag" "$commit" "$(git ls-tree --name-only "$commit" migrations/ | grep -c '\.sql$')"
