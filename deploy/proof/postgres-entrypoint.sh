#!/bin/sh
# First start: initdb with the owner's password from POSTGRES_PASSWORD_FILE, scram for
# every TCP client, then the database. Later starts: just postgres.
set -eu
# The socket and its lock file live in /tmp: under podman a read-only container gets a
# root-owned tmpfs on /run, which covers /var/run/postgresql (a symlink into /run).
sockets=/tmp
: "${PGDATA:?}"
user=${POSTGRES_USER:-postgres}
db=${POSTGRES_DB:-$user}
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  mkdir -p "$PGDATA"
  chmod 0700 "$PGDATA"
  # shellcheck disable=SC2086 # POSTGRES_INITDB_ARGS is a list of flags
  initdb -D "$PGDATA" --username="$user" --pwfile="${POSTGRES_PASSWORD_FILE:?}" --auth-local=trust ${POSTGRES_INITDB_ARGS:-} >/dev/null
  {
    echo "listen_addresses = '*'"
    echo "password_encryption = 'scram-sha-256'"
    echo "unix_socket_directories = '$sockets'"
  } >>"$PGDATA/postgresql.conf"
  {
    echo 'local all all trust'
    echo 'host all all all scram-sha-256'
  } >"$PGDATA/pg_hba.conf"
  pg_ctl -D "$PGDATA" -o "-c listen_addresses=''" -w start >/dev/null
  if [ "$db" != "postgres" ]; then
    psql -v ON_ERROR_STOP=1 -h "$sockets" -U "$user" -d postgres -c "CREATE DATABASE \"$db\"" >/dev/null
  fi
  pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
fi
exec "$@"
