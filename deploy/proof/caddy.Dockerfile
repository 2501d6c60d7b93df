# Stand-in for deploy/caddy/Dockerfile where caddy:2.8-alpine cannot be pulled: Debian's
# Caddy 2.6 (the Caddyfile targets 2.6+), the same shape as the upstream image (config in
# /etc/caddy, state in /data and /config, uid 10002, no file capabilities, wget for the
# healthcheck).
ARG BASE=localhost/debian:bookworm-min
FROM ${BASE}
RUN apt-get update \
 && apt-get install -y --no-install-recommends caddy wget ca-certificates libcap2-bin \
 && setcap -r /usr/bin/caddy || true \
 && apt-get purge -y libcap2-bin \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10002 caddyx \
 && useradd --system --uid 10002 --gid 10002 --no-create-home --shell /usr/sbin/nologin caddyx \
 && mkdir -p /data/caddy /config/caddy /etc/caddy \
 && chown -R 10002:10002 /data /config
ENV XDG_CONFIG_HOME=/config XDG_DATA_HOME=/data
USER 10002:10002
EXPOSE 443
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
  CMD ["wget", "-q", "-O", "/dev/null", "http://127.0.0.1:2019/config/"]
CMD ["caddy", "run", "--config", "/etc/caddy/Caddyfile", "--adapter", "caddyfile"]
