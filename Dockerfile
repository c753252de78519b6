# syntax=docker/dockerfile:1
# civitai-graphql: one replica. Build: `docker build -t civitai-graphql .`; several replicas with
# Redis and a load balancer: compose.yaml (README, "Running several replicas").

FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY fixture ./fixture
# The typed documents src/ imports and the trusted documents manifest, both made by `npm run codegen`.
COPY generated ./generated
RUN npm run build

FROM node:24-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM node:24-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production HOST=0.0.0.0 PORT=4000
COPY --from=deps --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/dist ./dist
COPY --from=build --chown=root:root /app/generated/persisted-documents.json ./generated/persisted-documents.json
COPY package.json ./
# The code and its dependencies belong to root and are read-only for the process.
USER node
EXPOSE 4000
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||4000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# A flag on the command line wins over NODE_OPTIONS; raise it with the caches (README, "Configuration").
CMD ["node", "--max-old-space-size=160", "dist/src/main.js"]
