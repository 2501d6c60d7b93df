#!/bin/sh
# Build-time helper (copied into the toolchain stages only, never the runtime image):
# runs a command trusting the extra CA passed as the build secret "ca"
# (--secret id=ca,src=...), for registries behind a TLS-inspecting proxy.
# Without the secret the command runs unchanged. The secret is a tmpfs mount of that
# RUN step, so it ends up in no layer.
set -eu
if [ -s /run/secrets/ca ]; then
  NODE_EXTRA_CA_CERTS=/run/secrets/ca
  npm_config_cafile=/run/secrets/ca
  export NODE_EXTRA_CA_CERTS npm_config_cafile
fi
exec "$@"
