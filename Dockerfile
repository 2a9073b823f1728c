# Madoguchi server image. The server's TypeScript runs directly through tsx (a runtime
# dependency of apps/server); only the SPA is built, in a first stage with the dev tools.
FROM node:20-bookworm-slim AS web
WORKDIR /app
COPY . .
RUN npm ci --no-audit --no-fund && npm run build:web

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production

# The whole tree first, then the install: npm workspaces need every workspace folder present,
# and copying only the manifests would have to list each package here by hand.
COPY . .
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=web /app/apps/web/dist /app/apps/web/dist

# Blobs (and the embedded database, when DATABASE_URL is unset) live in /data, owned by the
# unprivileged user the server runs as. Ports are unprivileged too; map 25/587/… on the host.
RUN mkdir -p /data && chown node:node /data
ENV MADOGUCHI_DATA_DIR=/data \
    MADOGUCHI_BIND=0.0.0.0
VOLUME ["/data"]
USER node

# HTTP, SMTP (MX), submission, submissions, IMAP, IMAPS, POP3, POP3S
EXPOSE 3000 2525 2587 2465 2143 2993 2110 2995

# The slim image has no curl; Node's fetch does the same job.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.HTTP_PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]

# Node is PID 1 and handles SIGTERM itself (graceful shutdown in apps/server/src/cli/start.ts).
CMD ["node", "apps/server/bin/madoguchi.mjs", "start"]
