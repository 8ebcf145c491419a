# One image for every command of the platform:
#   docker run --rm IMAGE node --import tsx cmd/<command>/main.ts
# compose.yaml builds it as iot-platform:local; k8s runs the published
# ghcr.io/iot-platform/iot:<package.json version> (utils/deploy/ checks both).
FROM node:20-bookworm-slim

ENV NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false \
    NPM_CONFIG_AUDIT=false

# openssl: compose.yaml's iot-api-tls one-shot makes the API's certificates with it
# (dependencies/tls/make-certs.sh, the same script as utils/stack.sh).
RUN apt-get update \
    && apt-get install -y --no-install-recommends openssl \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Dependencies first, so a source change does not reinstall them. Dev dependencies stay:
# the commands run from TypeScript through tsx.
COPY package.json package-lock.json ./
RUN npm ci && npm cache clean --force

# Owned by root and only readable by the process: it cannot rewrite its own code.
COPY . .

# sensor-logs-ingester's day files (IOT_SENSOR_LOG_DIR): a volume mounted here starts with
# this directory's owner, so node can write it. tsx compiles into /tmp, which is the only
# other place the processes write (k8s mounts an emptyDir there: read-only root filesystem).
RUN mkdir -p /var/log/iot-sensors && chown node:node /var/log/iot-sensors

ENV NODE_ENV=production
USER node

CMD ["sh", "-c", "echo 'usage: docker run --rm IMAGE node --import tsx cmd/<command>/main.ts'; echo 'commands:'; ls -1 cmd | sed 's/^/  /'"]
