# mtmock: a Telegram-compatible MTProto server for tests, on one port (4430) for every MTProto
# transport, WebSocket and the JSON admin API under /__admin.
#
# The image is assembled from the host's build, so run `npm ci && npm run build` first:
#   docker build -t mtmock .
#   docker run --rm -p 4430:4430 mtmock
# No step runs a shell, so BASE_IMAGE may be any image with `node` (>= 20) on PATH, including a
# shell-less one imported from the host's node binary (.ci/docker-setup.sh makes one).
ARG BASE_IMAGE=node:20-bookworm-slim

# Copies the production packages that package-lock.json lists out of the host's node_modules,
# leaving the development ones (client libraries, test tools) behind.
FROM ${BASE_IMAGE} AS production-modules
WORKDIR /src
COPY package-lock.json ./
COPY node_modules/ ./node_modules/
RUN ["node", "-e", "\
const fs = require('node:fs'); \
const lock = JSON.parse(fs.readFileSync('package-lock.json', 'utf8')); \
fs.mkdirSync('/out/node_modules', { recursive: true }); \
for (const [path, entry] of Object.entries(lock.packages)) { \
  if (path === '' || entry.dev || entry.devOptional || entry.link) continue; \
  if (!fs.existsSync(path)) { \
    if (entry.optional) continue; \
    throw new Error(path + ' is missing from the build context: run npm ci, and list new production packages in .dockerignore'); \
  } \
  fs.cpSync(path, '/out/' + path, { recursive: true }); \
}"]

FROM ${BASE_IMAGE}
WORKDIR /app
COPY --from=production-modules /out/node_modules/ ./node_modules/
COPY package.json ./
COPY dist/server/ ./dist/server/
COPY server/tl/schemas/ ./server/tl/schemas/
COPY fixtures/ ./fixtures/
# The default fixtures also sit in /fixtures, so mounting a folder there and pointing
# MTMOCK_FIXTURES at a file in it replaces them.
COPY fixtures/default.json /fixtures/default.json

ENV NODE_ENV=production \
    MTMOCK_HOST=0.0.0.0 \
    MTMOCK_PORT=4430 \
    MTMOCK_FIXTURES=/fixtures/default.json \
    MTMOCK_LOG_LEVEL=info
EXPOSE 4430
# A numeric user needs no /etc/passwd entry, which the shell-less base does not have.
USER 1000:1000

# The healthcheck subcommand reads MTMOCK_HOST and MTMOCK_PORT like the server does.
HEALTHCHECK --interval=1s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "/app/dist/server/cli.js", "healthcheck"]
ENTRYPOINT ["node", "/app/dist/server/cli.js"]
CMD ["serve"]

# buildMtmockImage (server/testcontainers.ts) passes a fresh id to tell its build from an older
# image with the same tag. Declared last, so a new id rebuilds only this metadata layer.
ARG MTMOCK_BUILD_ID=
LABEL org.mtmock.build-id=${MTMOCK_BUILD_ID}
