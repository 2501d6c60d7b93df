# syntax=docker/dockerfile:1
# hirebox image: one image runs the app (default command), the worker and migrations:
#   app:      node dist/server/main.js
#   worker:   node dist/worker/main.js
#   migrate:  node dist/server/cli.js migrate
# Build: docker build --build-arg BUILD_COMMIT=$(git rev-parse --short HEAD) -t hirebox:$(git rev-parse --short HEAD) .
#
# Base: the official Node 24 LTS image pinned by digest (bump both together). Where that
# image cannot be pulled, pass a locally made one: --build-arg NODE_IMAGE=localhost/node:24-bookworm-slim
# (deploy/proof/images.sh makes it from Debian packages and the Node build on the npm registry).
#
# Where the digest comes from: Docker's own record of the official images,
# github.com/docker-library/repo-info, repos/node/remote/24-bookworm-slim.md at commit
# e2e97043fc3e24482c19623a66ea8fc74d2546e0: the multi-platform index of node:24-bookworm-slim
# (Node 24.19.0 on Debian bookworm, built 2026-08-25; linux/amd64 manifest
# sha256:e5a8dee7bc1e6a215d224a7ef8206f7e77271bc3cabd5febf2beafac0674f174). It was the newest
# record that could be read from this build machine, which cannot reach Docker Hub. To bump:
# `docker buildx imagetools inspect node:24-bookworm-slim` (or that file) and take the index digest.
#
# Behind a TLS-inspecting proxy, give npm the proxy's CA for the build only, as a build
# secret (never a layer, never a build arg):
#   docker build --secret id=ca,src=/etc/ssl/certs/ca-certificates.crt .
#   buildah bud --format docker --secret id=ca,src=/etc/ssl/certs/ca-certificates.crt .
ARG NODE_IMAGE=node:24-bookworm-slim@sha256:a9f5f7c91a432850b2a8a7797adf5eadb6c733ceed61167806cee7ea7fbc29df

# ---- toolchain: the only stages with compilers (native addons such as argon2) ----
FROM ${NODE_IMAGE} AS toolchain
WORKDIR /src
ENV npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
# with-ca: when the build secret "ca" is given, npm trusts it for this RUN only.
COPY ops/scripts/with-ca.sh /usr/local/bin/with-ca
RUN --mount=type=secret,id=ca,required=false \
    apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && with-ca npm install -g npm@11 --no-audit --no-fund

# ---- production dependencies only (compiled here, copied into the runtime) ----
FROM toolchain AS deps
COPY package.json package-lock.json ./
RUN --mount=type=secret,id=ca,required=false \
    --mount=type=cache,id=hirebox-npm,target=/root/.npm \
    with-ca npm ci --omit=dev

# ---- compile TypeScript with the full dependency set ----
FROM toolchain AS build
COPY package.json package-lock.json ./
RUN --mount=type=secret,id=ca,required=false \
    --mount=type=cache,id=hirebox-npm,target=/root/.npm \
    with-ca npm ci
COPY . .
# issue 23: the dependency audit and secret scan of this build, recorded into the image
# (dist/build-info.json) for the trust page's build_audit line.
ARG BUILD_COMMIT=unknown
RUN npm run build \
 && mkdir -p server/web/dist \
 && BUILD_COMMIT=$BUILD_COMMIT ops/scripts/build-info.sh dist/build-info.json

# ---- runtime: no compilers, no package manager, no secrets, non-root ----
FROM ${NODE_IMAGE} AS runtime
# Two glibc malloc arenas (issue 19 soak): each argon2 hash takes 19 MiB on whichever libuv
# threadpool thread runs it, and glibc keeps the freed block in that thread's arena for reuse,
# so with the default arenas (8 per core) RSS climbed 19 MiB for every thread that first ran a
# hash, up to 4 x 19 MiB, late in a run. Two arenas bound that to 2 x 19 MiB, reached within
# seconds. (A fixed mmap threshold would give the block back after each hash, but every hash
# then page-faults its 19 MiB in again and took 3x as long.)
# A young generation of at most 2 x 16 MiB: Node 24 sizes it from the host's memory (128 MiB
# on a 24 GB host, 64 MiB under a 1 GB limit) and grows and shrinks it with the allocation
# rate, which swung RSS by 120 MB within seconds in npm run soak, back and forth, with no
# change in live objects. 16 MiB semi-spaces (Node 20's size) keep RSS steady whatever the
# host. npm run soak and the floods start app and worker with this ENV's MALLOC_* and
# NODE_OPTIONS (keep NODE_OPTIONS one word, without spaces).
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    MALLOC_ARENA_MAX=2 \
    NODE_OPTIONS=--max-semi-space-size=16
RUN groupadd --system --gid 10001 hirebox \
 && useradd --system --uid 10001 --gid hirebox --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin hirebox \
 && install -d -o 10001 -g 10001 -m 0700 /var/lib/hirebox/ledger \
 && rm -rf /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/corepack \
           /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack \
           /usr/local/bin/yarn /usr/local/bin/yarnpkg /opt/yarn-* \
 && rm -rf /usr/bin/apt /usr/bin/apt-* /usr/bin/dpkg /usr/bin/dpkg-* /var/lib/apt/lists/*
WORKDIR /app
# Code and dependencies stay owned by root: the hirebox user can read, not change, them.
# /var/lib/hirebox/ledger (owned by the hirebox user) is where the erasure_ledger volume is
# mounted: a fresh named volume takes that ownership.
COPY --from=deps /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY --from=build /src/migrations ./migrations
COPY --from=build /src/server/modules/auth/common-passwords.txt ./server/modules/auth/common-passwords.txt
# Static assets of the console and candidate pages, if the build produced any.
COPY --from=build /src/server/web/dist ./server/web/dist
COPY --from=build /src/package.json ./package.json
USER 10001:10001
EXPOSE 3000
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "dist/server/main.js"]
