# syntax=docker/dockerfile:1
# The chat server image, which also serves the widget's two files. Build stage: install the two
# workspaces' dependencies, `npm run build -w widget` and `npm run build -w chat-server` — the same
# commands `npm test` runs and checks (chat-server/test/build.integration.test.ts), since docker
# build cannot run in CI here. Runtime stage: Node, one bundled server file and the widget files,
# as a non-root user.

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY shared/package.json shared/
COPY chat-server/package.json chat-server/
COPY widget/package.json widget/
RUN npm ci --workspace chat-server --workspace widget --include-workspace-root=false --no-audit --no-fund
COPY tsconfig.base.json ./
COPY shared shared
COPY widget widget
COPY chat-server chat-server
RUN npm run build -w widget && npm run build -w chat-server

FROM node:20-alpine AS runtime
ENV NODE_ENV=production PORT=8787 HOST=0.0.0.0 WIDGET_DIST_DIR=/app/widget
WORKDIR /app
COPY --from=build --chown=node:node /app/chat-server/dist/ ./
COPY --from=build --chown=node:node /app/widget/dist/ ./widget/
USER node
EXPOSE 8787
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8787)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# SIGTERM starts the ordered shutdown (refuse upgrades, 4012 to clients, drain, Redis, Postgres).
STOPSIGNAL SIGTERM
CMD ["node", "--enable-source-maps", "server.mjs"]
