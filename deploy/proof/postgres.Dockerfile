# Stand-in for deploy/postgres/Dockerfile (postgres:16-bookworm + pgBackRest) where Docker Hub
# cannot be pulled: Debian's PostgreSQL 15 and pgBackRest, with an entrypoint that honours the
# same variables the compose file sets (POSTGRES_USER, POSTGRES_DB, POSTGRES_PASSWORD_FILE,
# POSTGRES_INITDB_ARGS, PGDATA), the same hirebox-pgbackrest wrapper, and uid 70.
# Build context: deploy/ (images.sh).
ARG BASE=localhost/debian:bookworm-min
FROM ${BASE}
RUN groupadd --system --gid 70 postgres \
 && useradd --system --uid 70 --gid 70 --home-dir /var/lib/postgresql --shell /bin/sh postgres \
 && apt-get update \
 && apt-get install -y --no-install-recommends postgresql-15 pgbackrest \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /var/lib/postgresql/data /var/run/postgresql \
 && install -d -o 70 -g 70 -m 0750 /var/lib/pgbackrest \
 && chown -R 70:70 /var/lib/postgresql /var/run/postgresql
COPY proof/postgres-entrypoint.sh /usr/local/bin/postgres-entrypoint
COPY postgres/hirebox-pgbackrest /usr/local/bin/hirebox-pgbackrest
# The stand-in's socket is in /tmp (postgres-entrypoint.sh says why).
# PGHOST: client tools run in this container (ops/scripts compose mode) find that socket too.
ENV PATH=/usr/lib/postgresql/15/bin:$PATH PGDATA=/var/lib/postgresql/data PGBACKREST_PG1_SOCKET_PATH=/tmp PGHOST=/tmp
USER 70:70
STOPSIGNAL SIGINT
EXPOSE 5432
ENTRYPOINT ["/usr/local/bin/postgres-entrypoint"]
CMD ["postgres"]
