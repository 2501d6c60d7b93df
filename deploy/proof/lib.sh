# Shared by the deploy proof scripts (sourced, not run). Where caches live, how podman
# and buildah are called on a machine like the CI one, and step timing.

# Caches outside the repository: the Debian rootfs tarball, the Node build, buildah's
# layers and npm cache mounts (in containers storage). CI runs on the same machine, so
# /var/cache survives between runs.
if [ -z "${HIREBOX_CI_CACHE:-}" ]; then
  if mkdir -p /var/cache/hirebox-ci 2>/dev/null && [ -w /var/cache/hirebox-ci ]; then
    HIREBOX_CI_CACHE=/var/cache/hirebox-ci
  else
    HIREBOX_CI_CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/hirebox-ci
  fi
fi
export HIREBOX_CI_CACHE
mkdir -p "$HIREBOX_CI_CACHE"

PROOF_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$PROOF_DIR/../.." && pwd)
export PROOF_DIR REPO_ROOT

# crun fails on this machine kind (setrlimit, hybrid cgroups); runc with cgroupfs works.
# CONTAINERS_CONF is read by podman and by podman-compose's podman calls.
export CONTAINERS_CONF="$HIREBOX_CI_CACHE/containers.conf"
if [ ! -s "$CONTAINERS_CONF" ]; then
  printf '[engine]\nruntime = "runc"\ncgroup_manager = "cgroupfs"\nevents_logger = "file"\n\n[containers]\ndefault_ulimits = ["nofile=4096:4096", "nproc=4096:4096"]\n' >"$CONTAINERS_CONF"
fi
export BUILDAH_ISOLATION=chroot

# The TLS-inspecting proxy's CA, passed to builds as a secret (never a layer).
CA_BUNDLE=${HIREBOX_BUILD_CA:-/etc/ssl/certs/ca-certificates.crt}
export CA_BUNDLE

bud() {
  local secret=()
  [ -s "$CA_BUNDLE" ] && secret=(--secret "id=ca,src=$CA_BUNDLE")
  buildah bud --format docker --layers --pull=false --network host "${secret[@]}" "$@"
}

proof_started=${proof_started:-$(date +%s)}
step_started=$proof_started
step() {
  local now
  now=$(date +%s)
  printf '\n=== [%s] %s (total %ss)\n' "$(date -u +%H:%M:%S)" "$1" "$((now - proof_started))"
  step_started=$now
}
step_done() {
  printf -- '--- %s: %ss\n' "$1" "$(($(date +%s) - step_started))"
}
