#!/usr/bin/env bash
# Builds every image the compose stack runs, with buildah, where no registry can be
# reached (this CI machine; also a laptop behind a strict proxy):
#   localhost/debian:bookworm-min        debootstrap --variant=minbase (Debian packages)
#   localhost/node:24-bookworm-slim      that base + Node 24 and npm from the npm registry
#   localhost/hirebox:$HIREBOX_VERSION   the repository's Dockerfile, NODE_IMAGE = the above
#   localhost/hirebox-caddy:$HIREBOX_VERSION  deploy/proof/caddy.Dockerfile (Debian's caddy)
#   localhost/hirebox-postgres:15        deploy/proof/postgres.Dockerfile (Debian's PostgreSQL + pgBackRest)
#   localhost/hirebox-redis:7            deploy/proof/redis.Dockerfile (Debian's Redis)
# Where docker.io can be pulled, only the hirebox image is needed (docker compose build).
#
#   deploy/proof/images.sh [CONTEXT_DIR]   CONTEXT_DIR defaults to the repository
# Env: HIREBOX_VERSION (tag, default local).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

context=${1:-$REPO_ROOT}
version=${HIREBOX_VERSION:-local}
rootfs_tar="$HIREBOX_CI_CACHE/rootfs/bookworm-minbase.tar"
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}

have_image() { podman image exists "$1"; }

# ---- Debian base: rebuilt weekly so security updates reach the images ----
if [ ! -s "$rootfs_tar" ] || [ -n "$(find "$rootfs_tar" -mtime +6)" ]; then
  mkdir -p "$(dirname "$rootfs_tar")"
  dir=$(mktemp -d "$HIREBOX_CI_CACHE/rootfs/.build.XXXXXX")
  debootstrap --variant=minbase bookworm "$dir/root" "$mirror" >"$dir/log" 2>&1 || { cat "$dir/log" >&2; exit 1; }
  printf 'deb %s bookworm main\ndeb %s bookworm-updates main\ndeb http://deb.debian.org/debian-security bookworm-security main\n' \
    "$mirror" "$mirror" >"$dir/root/etc/apt/sources.list"
  rm -rf "$dir/root/var/cache/apt/archives/"*.deb "$dir/root/var/lib/apt/lists/"*
  tar -C "$dir/root" --numeric-owner -cf "$rootfs_tar.tmp" .
  mv "$rootfs_tar.tmp" "$rootfs_tar"
  rm -rf "$dir"
  podman rmi -f localhost/debian:bookworm-min >/dev/null 2>&1 || true
fi
if ! have_image localhost/debian:bookworm-min; then
  podman import --change 'CMD ["bash"]' "$rootfs_tar" localhost/debian:bookworm-min >/dev/null
fi

# ---- Node 24 base, laid out like the official node:24-bookworm-slim (/usr/local) ----
node_bin=$(bash "$REPO_ROOT/ops/scripts/node24.sh")
node_prefix=$(dirname "$node_bin")
node_version=$("$node_bin/node" --version)
current=$(podman image inspect --format '{{ index .Labels "org.hirebox.node" }}' localhost/node:24-bookworm-slim 2>/dev/null || true)
if [ "$current" != "$node_version" ]; then
  ctr=$(buildah from --pull=false localhost/debian:bookworm-min)
  buildah copy "$ctr" "$node_prefix/bin/node" /usr/local/bin/node >/dev/null
  buildah copy "$ctr" "$node_prefix/include" /usr/local/include >/dev/null
  buildah copy "$ctr" "$node_prefix/lib/node_modules/npm" /usr/local/lib/node_modules/npm >/dev/null
  buildah run "$ctr" -- sh -c 'ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx && node --version >/dev/null'
  buildah config --env NODE_VERSION="${node_version#v}" --label org.hirebox.node="$node_version" --cmd node "$ctr"
  buildah commit --format docker --rm "$ctr" localhost/node:24-bookworm-slim >/dev/null
fi

# ---- the images the stack runs ----
build_commit=$(git -C "$context" rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
bud -f "$context/Dockerfile" --build-arg NODE_IMAGE=localhost/node:24-bookworm-slim --build-arg BUILD_COMMIT="$build_commit" \
  -t "localhost/hirebox:$version" "$context"
bud -f "$PROOF_DIR/caddy.Dockerfile" --build-arg BASE=localhost/debian:bookworm-min \
  -t "localhost/hirebox-caddy:$version" "$PROOF_DIR"
bud -f "$PROOF_DIR/postgres.Dockerfile" --build-arg BASE=localhost/debian:bookworm-min -t localhost/hirebox-postgres:15 "$REPO_ROOT/deploy"
bud -f "$PROOF_DIR/redis.Dockerfile" --build-arg BASE=localhost/debian:bookworm-min -t localhost/hirebox-redis:7 "$PROOF_DIR"

size=$(podman image inspect --format '{{.Size}}' "localhost/hirebox:$version")
printf 'image localhost/hirebox:%s: %s MB (%s bytes)\n' "$version" "$((size / 1000000))" "$size"
