# Clinic booking service: Debian with the system Chromium (for WhatsApp Web), running as a non-root user.
FROM node:20-bookworm-slim AS build
WORKDIR /app
ENV PUPPETEER_SKIP_DOWNLOAD=true
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json .puppeteerrc.cjs ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    PUPPETEER_SKIP_DOWNLOAD=true \
    CHROME_PATH=/usr/bin/chromium \
    DATA_DIR=/data \
    WHATSAPP_SESSION_DIR=/whatsapp-session \
    LOG_FORMAT=json \
    PORT=3000
RUN apt-get update \
 && apt-get install -y --no-install-recommends chromium fonts-noto-core ca-certificates curl \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system clinic && useradd --system --gid clinic --home /app clinic \
 && mkdir -p /data /whatsapp-session && chown clinic:clinic /data /whatsapp-session
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json .puppeteerrc.cjs ./
COPY public ./public
USER clinic
VOLUME ["/data", "/whatsapp-session"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD curl -fsS http://127.0.0.1:3000/health || exit 1
CMD ["node", "dist/index.js"]
