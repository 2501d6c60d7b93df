#!/usr/bin/env bash
# Creates the secret files docker-compose.yml mounts, once: a file that exists is never
# touched again, so running this twice changes nothing (it prints one line per file it
# creates and nothing otherwise).
#
#   deploy/secrets.sh [--dev] [DIR]        DIR defaults to ./.secrets
#
# Production (run as root on the server, by the Ansible app role): files are mode 0400,
# owned by the uid of the one container that reads each of them (postgres 70, redis 999,
# hirebox 10001, see docker-compose.yml); the directory is root-only.
# --dev (a laptop, not root): files are mode 0444 so containers with other uids can read
# them; the values are throwaway.
#
# Values the operator brings (OpenAI and Vapi keys, SMTP URL) are taken from the
# environment (HIREBOX_OPENAI_API_KEY, HIREBOX_VAPI_API_KEY, HIREBOX_SMTP_URL) when the
# file is first created; without them an empty file is left for the operator to fill.
set -euo pipefail
umask 077

dev=0
if [ "${1:-}" = "--dev" ]; then
  dev=1
  shift
fi
dir=${1:-./.secrets}

APP_UID=10001
POSTGRES_UID=70
REDIS_UID=999
REDIS_GID=1000

mkdir -p "$dir"
chmod 0700 "$dir"

# finish FILE UID GID: set owner and mode of a file this run created.
finish() {
  if [ "$dev" -eq 1 ]; then
    chmod 0444 "$1"
  else
    chown "$2:$3" "$1"
    chmod 0400 "$1"
  fi
  echo "created $1"
}

# Values carry no trailing newline: readers of *_FILE get exactly the secret.
random_hex() { openssl rand -hex 32 | tr -d '\n'; }
random_key() { openssl rand -base64 32 | tr -d '\n'; }

# make NAME UID GID COMMAND...: write COMMAND's output to DIR/NAME unless it exists.
make_secret() {
  local name=$1 uid=$2 gid=$3
  shift 3
  local path="$dir/$name"
  [ -e "$path" ] && return 0
  local tmp
  tmp=$(mktemp "$dir/.$name.XXXXXX")
  "$@" >"$tmp"
  mv "$tmp" "$path"
  finish "$path" "$uid" "$gid"
}

# Passwords that only feed other files are kept root-only beside them, so that derived
# files can be recreated and an operator can open psql / redis-cli.
make_secret postgres_password "$POSTGRES_UID" "$POSTGRES_UID" random_hex
# pgBackRest repository passphrase (aes-256-cbc): without it no base backup or archived WAL
# can be read, so it goes into the offline copy of this directory with master_key.
make_secret pgbackrest_cipher_pass "$POSTGRES_UID" "$POSTGRES_UID" random_key
make_secret .hirebox_app_password 0 0 random_hex
make_secret .redis_password 0 0 random_hex

pg_owner_pw=$(cat "$dir/postgres_password")
pg_app_pw=$(cat "$dir/.hirebox_app_password")
redis_pw=$(cat "$dir/.redis_password")

make_secret migration_database_url "$APP_UID" "$APP_UID" \
  printf 'postgres://hirebox:%s@postgres:5432/hirebox' "$pg_owner_pw"
make_secret database_url "$APP_UID" "$APP_UID" \
  printf 'postgres://hirebox_app:%s@postgres:5432/hirebox' "$pg_app_pw"
make_secret redis_url "$APP_UID" "$APP_UID" \
  printf 'redis://default:%s@redis:6379' "$redis_pw"

redis_acl() {
  local hash
  hash=$(printf '%s' "$redis_pw" | sha256sum | cut -d' ' -f1)
  printf 'user default on #%s ~* &* +@all\n' "$hash"
  # The container healthcheck logs in as this user; it can do nothing but PING.
  printf 'user healthcheck on nopass -@all +ping\n'
}
make_secret redis_acl "$REDIS_UID" "$REDIS_GID" redis_acl

make_secret master_key "$APP_UID" "$APP_UID" random_key
make_secret audit_signing_key "$APP_UID" "$APP_UID" openssl genpkey -algorithm ed25519

operator_value() { printf '%s' "${!1:-}"; }
make_secret openai_api_key "$APP_UID" "$APP_UID" operator_value HIREBOX_OPENAI_API_KEY
make_secret vapi_api_key "$APP_UID" "$APP_UID" operator_value HIREBOX_VAPI_API_KEY
make_secret smtp_url "$APP_UID" "$APP_UID" operator_value HIREBOX_SMTP_URL
