# The bot as a container: `docker build -t lead-bot .` then
#   docker run --env-file .env -v lead-bot-data:/data --stop-timeout 20 lead-bot
# (--stop-timeout: room for the webhook drain, SHUTDOWN_DRAIN_SECONDS, default 5 s, and 10 s for deliveries.)
# Not built in this project's CI (no container runtime there); test/unit/dockerfile.test.ts checks that every path
# it copies and the command it runs exist after `npm run build`, and test/e2e/runtimeImage.test.ts runs the bot and
# the operator scripts on what the runtime stage holds.
# Operators' scripts, in the bundle too: docker compose exec bot node dist/app/forget-person.mjs <telegram id>
#                                        docker compose exec bot node dist/app/backup.mjs /data/backup-<date>.sqlite
#                                        docker compose exec bot node dist/app/consents.mjs --csv > consents.csv
# Node 24: the active LTS line (Node 20 reached end of life in April 2026); the project's tests run on Node 20.

# ---- build: all dependencies, the bundle, then the few node_modules it loads -----------------------------------------
FROM node:24-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 is a native addon: compiled here when no prebuilt binary fits.
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY scripts/build.mjs scripts/runtime-modules.mjs scripts/commandLine.ts scripts/forget-person.ts scripts/backup.ts \
  scripts/consents.ts scripts/consentsReport.ts scripts/
COPY src src
RUN npm run build && node scripts/runtime-modules.mjs /app/runtime

# ---- run: the bundle, the native addons, the locales; as the unprivileged node user (uid 1000) ------------------
FROM node:24-bookworm-slim
ENV NODE_ENV=production \
  DATA_DIR=/data \
  PORT=8080
WORKDIR /app
# A font for /stats' chart (the slim image has none).
RUN apt-get update \
  && apt-get install -y --no-install-recommends fonts-dejavu-core \
  && rm -rf /var/lib/apt/lists/*
COPY --from=build /app/runtime/node_modules node_modules
COPY --from=build /app/dist dist
COPY package.json ./
COPY locales locales
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/healthz`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node itself, not npm: the supervisor's SIGTERM reaches the bot, which stops gracefully.
CMD ["node", "dist/app/main.mjs"]
