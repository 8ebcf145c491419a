# One image for every command of the platform (migrations now, the services as they join):
#   docker run --rm IMAGE npx tsx cmd/migrate/main.ts
# compose.yaml builds it as iot-platform:local; k8s uses the published tag.
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

ENV NODE_ENV=production
USER node

CMD ["sh", "-c", "echo 'usage: docker run --rm IMAGE npx tsx cmd/<command>/main.ts'; echo 'commands:'; ls -1 cmd | sed 's/^/  /'"]
