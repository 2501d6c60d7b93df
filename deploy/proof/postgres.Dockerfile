# Stand-in for postgres:16-alpine where it cannot be pulled: Debian's PostgreSQL 15 with an
# entrypoint that honours the same variables the compose file sets (POSTGRES_USER,
# POSTGRES_DB, POSTGRES_PASSWORD_FILE, POSTGRES_INITDB_ARGS, PGDATA) and runs as uid 70.
ARG BASE=localhost/debian:bookworm-min
FROM ${BASE}
RUN groupadd --system --gid 70 postgres \
 && useradd --system --uid 70 --gid 70 --home-dir /var/lib/postgresql --shell /bin/sh postgres \
 && apt-get update \
 && apt-get install -y --no-install-recommends postgresql-15 \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /var/lib/postgresql/data /var/run/postgresql \
 && chown -R 70:70 /var/lib/postgresql /var/run/postgresql
COPY postgres-entrypoint.sh /usr/local/bin/postgres-entrypoint
ENV PATH=/usr/lib/postgresql/15/bin:$PATH PGDATA=/var/lib/postgresql/data
USER 70:70
STOPSIGNAL SIGINT
EXPOSE 5432
ENTRYPOINT ["/usr/local/bin/postgres-entrypoint"]
CMD ["postgres"]
