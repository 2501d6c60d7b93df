# Stand-in for redis:7-alpine where it cannot be pulled: Debian's Redis 7.0, uid 999 gid 1000
# as in the compose file, data in /data.
ARG BASE=localhost/debian:bookworm-min
FROM ${BASE}
RUN groupadd --gid 1000 redis \
 && useradd --system --uid 999 --gid 1000 --home-dir /data --shell /usr/sbin/nologin redis \
 && apt-get update \
 && apt-get install -y --no-install-recommends redis-server redis-tools \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /data && chown 999:1000 /data
USER 999:1000
WORKDIR /data
EXPOSE 6379
CMD ["redis-server"]
