# shellcheck shell=bash
# Shared by ops/scripts/backup.sh, restore-drill.sh and restore.sh (sourced, not run).
#
# Two ways to reach Postgres:
#   compose mode (default, on the server): every client runs inside the postgres container
#     with `docker compose exec -T postgres <tool> -U hirebox`, so its version always matches
#     the server's; run from the compose project directory (/opt/hirebox/src).
#   URL mode (--database-url URL or HIREBOX_BACKUP_DATABASE_URL): the local pg_dump /
#     pg_restore / psql with a connection URL of a superuser or the owner role (tests and
#     installs without Docker). The client major version must be >= the server's.
#     The URL is passed to the clients as --dbname, so it shows in `ps`: give it without a
#     password and keep the password in ~/.pgpass (or use a local socket with peer auth).

HB_DB_URL=${HIREBOX_BACKUP_DATABASE_URL:-}
HB_COMPOSE_USER=${HIREBOX_COMPOSE_PG_USER:-hirebox}
HB_COMPOSE_DB=${HIREBOX_COMPOSE_PG_DB:-hirebox}
HB_PROG=$(basename "$0")

die() {
  echo "$HB_PROG: $*" >&2
  exit 1
}

note() {
  echo "$HB_PROG: $*" >&2
}

need_cmd() {
  command -v "$1" >/dev/null 2>&1 || die "$1 is not installed${2:+ ($2)}"
}

# url_with_db URL DB: the same connection URL pointing at database DB (query string kept).
url_with_db() {
  local url=$1 db=$2 query='' base
  if [[ $url == *\?* ]]; then
    query="?${url#*\?}"
    url=${url%%\?*}
  fi
  base=${url#*://}
  if [[ $base == */* ]]; then
    url="${url%/*}"
  fi
  printf '%s/%s%s' "$url" "$db" "$query"
}

# db_name_of URL: the database name in a connection URL.
db_name_of() {
  local url=${1%%\?*} rest
  rest=${url#*://}
  [[ $rest == */* ]] || die "the database URL names no database"
  printf '%s' "${rest##*/}"
}

# pg_tool DB TOOL ARGS...: runs a Postgres client tool against database DB of the server.
# stdin and stdout pass through (pg_dump | age, age -d | pg_restore).
pg_tool() {
  local db=$1 tool=$2
  shift 2
  if [ -n "$HB_DB_URL" ]; then
    "$tool" --dbname="$(url_with_db "$HB_DB_URL" "$db")" "$@"
  else
    docker compose exec -T postgres "$tool" -U "$HB_COMPOSE_USER" --dbname="$db" "$@"
  fi
}

# source_db: the database backed up / compared against.
source_db() {
  if [ -n "$HB_DB_URL" ]; then db_name_of "$HB_DB_URL"; else printf '%s' "$HB_COMPOSE_DB"; fi
}

# psql_in DB ARGS...: psql quiet, unaligned, stop at the first error; SQL from stdin or -c.
psql_in() {
  local db=$1
  shift
  pg_tool "$db" psql -X -q -A -t -v ON_ERROR_STOP=1 "$@"
}

check_pg_tools() {
  if [ -n "$HB_DB_URL" ]; then
    need_cmd pg_dump "Debian package postgresql-client"
    need_cmd pg_restore "Debian package postgresql-client"
    need_cmd psql "Debian package postgresql-client"
  else
    need_cmd docker "compose mode runs the clients in the postgres container; or pass --database-url"
    [ -f docker-compose.yml ] || die "compose mode must run in the compose project directory (no docker-compose.yml in $PWD); or pass --database-url"
  fi
}

# newest_backup DIR: path of the newest hirebox-*.dump.age in DIR (by name: UTC stamps sort).
newest_backup() {
  local dir=$1 f newest=''
  for f in "$dir"/hirebox-*.dump.age; do
    [ -e "$f" ] || continue
    newest=$f
  done
  [ -n "$newest" ] || die "no backups (hirebox-*.dump.age) in $dir"
  printf '%s' "$newest"
}

# verify_checksum FILE: FILE.sha256 must exist and match.
verify_checksum() {
  local file=$1 sum expected actual
  sum="$file.sha256"
  [ -f "$sum" ] || die "checksum file $sum is missing"
  expected=$(awk 'NR==1 {print $1}' "$sum")
  [[ $expected =~ ^[0-9a-f]{64}$ ]] || die "checksum file $sum is malformed"
  actual=$(sha256sum "$file" | awk '{print $1}')
  [ "$expected" = "$actual" ] || die "checksum mismatch for $file: the file is damaged or was altered (expected $expected, got $actual)"
}

# check_identity FILE: an age identity (private key) file that exists and is readable.
check_identity() {
  local id=$1
  [ -n "$id" ] || die "no age identity given (--identity FILE or BACKUP_AGE_IDENTITY_FILE); it is the offline private key, see ops/runbooks/backup-restore.md"
  [ -f "$id" ] || die "age identity file $id does not exist"
  [ -r "$id" ] || die "age identity file $id is not readable"
  grep -q '^AGE-SECRET-KEY-' "$id" || die "age identity file $id holds no AGE-SECRET-KEY line"
}

# check_restore_tools IDENTITY: what reading a backup back needs (age, sha256sum, the
# Postgres clients of this mode, and the age identity).
check_restore_tools() {
  need_cmd age "Debian package age"
  need_cmd sha256sum
  check_pg_tools
  check_identity "$1"
}

# restore_into FILE IDENTITY DB: decrypts FILE and restores it into the (empty) database DB.
restore_into() {
  local file=$1 id=$2 db=$3
  # pipefail: a failed decryption fails the pipeline even if pg_restore reads nothing.
  if ! age --decrypt --identity "$id" "$file" | pg_tool "$db" pg_restore --exit-on-error --single-transaction --no-password; then
    die "restore of $(basename "$file") into database $db failed (wrong identity, damaged file, or a restore error above)"
  fi
}

# valid_db_name NAME: a plain identifier, safe to use unquoted in CREATE/DROP DATABASE.
valid_db_name() {
  [[ $1 =~ ^[a-z_][a-z0-9_]{0,62}$ ]] || die "database name '$1' must match [a-z_][a-z0-9_]*"
}

create_db() {
  valid_db_name "$1"
  psql_in postgres -c "CREATE DATABASE $1" >/dev/null || die "could not create database $1"
}

drop_db() {
  valid_db_name "$1"
  psql_in postgres -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)" >/dev/null
}

# pick_backup PATH: PATH itself if it is a file, else the newest backup in directory PATH.
pick_backup() {
  if [ -f "$1" ]; then
    printf '%s' "$1"
  elif [ -d "$1" ]; then
    newest_backup "$1"
  else
    die "$1 is neither a backup file nor a backup directory"
  fi
}

# run_cli DB_APP_URL DB_OWNER_URL ARGS...: the hirebox CLI against another database.
# HIREBOX_CLI overrides the command (e.g. "node --import tsx server/cli.ts" in a checkout);
# default: the app image in compose mode, the built CLI in URL mode. Key files
# (MASTER_KEY_FILE, AUDIT_SIGNING_KEY_FILE) come from the caller's environment or the
# compose secrets.
run_cli() {
  local app_url=$1 owner_url=$2 cli_cmd
  shift 2
  local -a cli
  if [ -n "${HIREBOX_CLI:-}" ]; then
    cli_cmd=$HIREBOX_CLI
  elif [ -n "$HB_DB_URL" ]; then
    cli_cmd="node dist/server/cli.js"
  else
    # The one-shot migrate service: the app's image, secrets, backend network and erasure
    # ledger volume, but never running, so the one-off container is not linked to live
    # containers of its service (docker-compose 1.29 links a one-off `app` container to the
    # running app, which podman's Docker API refuses: "link is not supported").
    cli_cmd="docker compose run --rm --no-deps -T -e DATABASE_URL -e DATABASE_URL_FILE -e MIGRATION_DATABASE_URL -e MIGRATION_DATABASE_URL_FILE migrate node dist/server/cli.js"
  fi
  read -ra cli <<<"$cli_cmd"
  DATABASE_URL=$app_url DATABASE_URL_FILE='' MIGRATION_DATABASE_URL=$owner_url MIGRATION_DATABASE_URL_FILE='' "${cli[@]}" "$@"
}

# secret_url NAME: a connection URL from the compose secrets directory.
secret_url() {
  local f="${HIREBOX_SECRETS_DIR:-/opt/hirebox/secrets}/$1"
  [ -r "$f" ] || die "cannot read $f (compose mode reads the app's connection URLs from the secrets directory; or pass --app-database-url)"
  tr -d '\n' <"$f"
}

# migrations_check DB: every migration recorded in DB exists in ./migrations with the same
# SHA-256 (what `hirebox migrate` insists on); prints "applied pending" counts or dies.
migrations_check() {
  local db=$1 rows file sum applied=0 pending=0 f
  rows=$(psql_in "$db" -F ' ' -c "SELECT filename, checksum FROM schema_migrations ORDER BY filename") ||
    die "restored database has no readable schema_migrations table"
  [ -d migrations ] || die "no migrations/ directory in $PWD to check the restored schema against"
  while read -r file sum; do
    [ -n "$file" ] || continue
    applied=$((applied + 1))
    [ -f "migrations/$file" ] || die "restored database has migration $file, which this checkout does not have (restore with the matching hirebox version)"
    [ "$(sha256sum "migrations/$file" | awk '{print $1}')" = "$sum" ] || die "migration $file in the restored database differs from migrations/$file (checksum)"
  done <<<"$rows"
  for f in migrations/*.sql; do
    grep -q "^$(basename "$f") " <<<"$rows" || pending=$((pending + 1))
  done
  printf '%s %s' "$applied" "$pending"
}

# table_counts DB: "table|rows" for every table in schema public except backup_runs and restore_drills (written by the scripts themselves), sorted.
table_counts() {
  local db=$1 query
  query=$(psql_in "$db" -c "SELECT string_agg(format('SELECT %L || ''|'' || count(*) FROM public.%I', tablename, tablename), ' UNION ALL ' ORDER BY tablename) FROM pg_tables WHERE schemaname = 'public' AND tablename NOT IN ('backup_runs', 'restore_drills')")
  [ -n "$query" ] || die "database $db has no tables"
  psql_in "$db" -c "$query" | LC_ALL=C sort
}

# json_number JSON KEY: the first integer value of "KEY": in a one-line JSON document.
json_number() {
  grep -o "\"$2\":[0-9]*" <<<"$1" | head -n 1 | cut -d: -f2
}

# reapply_erasures APP_URL OWNER_URL PENDING: brings a restored database to this checkout's
# schema (when PENDING migrations are newer than the backup) and re-applies the erasure
# ledger to it (`hirebox erasures reapply`, issue 18), so a candidate erased after the
# backup was taken is erased again before anything serves from the database. Prints
# "entries readable_before readable_after"; dies when the re-application fails (a tampered
# ledger, a database error) or leaves anything readable.
reapply_erasures() {
  local app_url=$1 owner_url=$2 pending=$3 before after
  if [ "$pending" != "0" ]; then
    run_cli "$app_url" "$owner_url" migrate >/dev/null || die "could not apply the $pending newer migration(s) to the restored database"
  fi
  before=$(run_cli "$app_url" "$owner_url" erasures reapply --dry-run --json) || die "erasure ledger check failed: $before"
  if ! after=$(run_cli "$app_url" "$owner_url" erasures reapply --json); then
    die "re-applying the erasure ledger failed; the restored database must not serve: $after"
  fi
  printf '%s %s %s' "$(json_number "$after" entries)" "$(json_number "$before" readable)" "$(json_number "$after" readable)"
}
