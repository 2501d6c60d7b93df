#!/usr/bin/env bash
# Real restore (ops/runbooks/backup-restore.md): replaces the hirebox database with a backup.
#
#   ops/scripts/restore.sh [--database-url URL] [--identity FILE] [--app-database-url URL]
#                          --confirm DBNAME BACKUP_FILE_OR_DIR
#
# Verifies the checksum, decrypts with the age identity and restores into a staging
# database beside the live one, checks its migrations against ./migrations, applies the
# newer ones, re-applies the erasure ledger (`hirebox erasures reapply`: candidates erased
# and orgs deleted after the backup was taken are erased again; the ledger lives outside
# the database, see server/core/erasure-ledger.ts) and only then swaps
# names: the live database is renamed to <db>_pre_restore_<stamp> (kept, drop it once the
# restore is confirmed good) and the staging one becomes <db>. Anything still connected to
# <db> is disconnected at the swap: stop app and worker first.
#
# Guard: --confirm must repeat the database name being replaced (default hirebox); without
# it, on a terminal, the name is asked for. Same helpers as restore-drill.sh.
set -euo pipefail
umask 077
# shellcheck source-path=SCRIPTDIR source=lib/backup-common.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/backup-common.sh"

usage() {
  echo "usage: $HB_PROG [--database-url URL] [--identity FILE] [--app-database-url URL] --confirm DBNAME BACKUP_FILE_OR_DIR" >&2
  exit 2
}

identity=${BACKUP_AGE_IDENTITY_FILE:-}
confirm=''
app_url=''
target=''
while [ $# -gt 0 ]; do
  case $1 in
    --database-url) [ $# -ge 2 ] || usage; HB_DB_URL=$2; shift 2 ;;
    --identity) [ $# -ge 2 ] || usage; identity=$2; shift 2 ;;
    --confirm) [ $# -ge 2 ] || usage; confirm=$2; shift 2 ;;
    --app-database-url) [ $# -ge 2 ] || usage; app_url=$2; shift 2 ;;
    -h | --help) usage ;;
    -*) note "unknown option $1"; usage ;;
    *) [ -z "$target" ] || usage; target=$1; shift ;;
  esac
done
[ -n "$target" ] || usage

check_restore_tools "$identity"
file=$(pick_backup "$target")
live=$(source_db)
valid_db_name "$live"

if [ -z "$confirm" ] && [ -t 0 ]; then
  read -r -p "This REPLACES database '$live' with $(basename "$file"). Type the database name to go on: " confirm
fi
[ "$confirm" = "$live" ] || die "not confirmed: pass --confirm $live to replace database '$live' (nothing was changed)"

verify_checksum "$file"
stamp=$(date -u +%Y%m%d%H%M%S)
staging="${live}_restore_$stamp"
previous="${live}_pre_restore_$stamp"
valid_db_name "$staging"
valid_db_name "$previous"

# shellcheck disable=SC2317 # called by the EXIT trap
abort() { drop_db "$staging" || note "could not drop staging database $staging; drop it by hand"; }
create_db "$staging"
trap abort EXIT
restore_into "$file" "$identity" "$staging"
counts=$(migrations_check "$staging")
note "restored $(basename "$file") into $staging (${counts% *} migrations applied, ${counts#* } newer ones to apply)"

# Before the swap, so the app never serves a database in which an erased candidate is back.
if [ -n "$HB_DB_URL" ]; then
  owner_url=$(url_with_db "$HB_DB_URL" "$staging")
  app_url=$(url_with_db "${app_url:-$HB_DB_URL}" "$staging")
else
  owner_url=$(url_with_db "$(secret_url migration_database_url)" "$staging")
  app_url=$(url_with_db "${app_url:-$(secret_url database_url)}" "$staging")
fi
er=$(reapply_erasures "$app_url" "$owner_url" "${counts#* }")
read -r entries readable_before readable_after <<<"$er"
note "erasure ledger re-applied to $staging: $entries entries, $readable_before erased candidate(s)/org(s) were readable in the backup, $readable_after now"

exists=$(psql_in postgres -c "SELECT count(*) FROM pg_database WHERE datname = '$live'")
if [ "$exists" = "1" ]; then
  psql_in postgres >/dev/null <<SQL
SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '$live' AND pid <> pg_backend_pid();
BEGIN;
ALTER DATABASE $live RENAME TO $previous;
ALTER DATABASE $staging RENAME TO $live;
COMMIT;
SQL
  trap - EXIT
  echo "restored: database $live now holds $(basename "$file"); the previous database is kept as $previous (DROP DATABASE $previous once you are sure)"
else
  psql_in postgres -c "ALTER DATABASE $staging RENAME TO $live" >/dev/null
  trap - EXIT
  echo "restored: database $live created from $(basename "$file")"
fi
echo "next: start app and worker, then 'hirebox audit verify'"
