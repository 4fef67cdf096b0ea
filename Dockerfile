# meshlog's image: built in one stage (dependencies, native modules, TypeScript), run in another
# that holds only what runs, as a non-root user. docs/operations/deploying.md explains it.
#
#   docker build -t meshlog:$(node -p "require('./package.json').version") .
#   docker run -p 8080:8080 -p 9977:9977 -v meshlog-data:/var/lib/meshlog meshlog:VERSION

FROM node:20-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 compiles its native module when no prebuilt one fits.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
# What `npm run build` reads: the TypeScript, the web viewer's source and the build scripts
# (tsc, then the viewer's bundle into dist/web, then Envoy's protos into dist/protos).
COPY src ./src
COPY web ./web
COPY scripts ./scripts
# npm ci installs everything and its `prepare` script builds dist/; then the dev tools go.
RUN npm ci && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The image's own user (node, uid 1000), by number so that Kubernetes' runAsNonRoot can check it.
RUN mkdir -p /var/lib/meshlog && chown 1000:1000 /var/lib/meshlog
USER 1000:1000
VOLUME /var/lib/meshlog
# HTTP API and metrics; Envoy gRPC access logs (ALS).
EXPOSE 8080 9977
ENTRYPOINT ["node", "dist/cli/main.js"]
CMD ["serve", "--data-dir", "/var/lib/meshlog", "--http-host", "0.0.0.0"]
