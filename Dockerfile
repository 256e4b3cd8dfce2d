# syntax=docker/dockerfile:1
# Build stage: compile TypeScript with the full toolchain.
FROM node:22-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json tsconfig.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY src ./src
COPY test ./test
COPY bench ./bench
COPY scripts ./scripts
# The build also writes the mesh kinds' schema validators as code (dist/src/validate/compiled).
RUN npm run build && npm prune --omit=dev

# Runtime stage: only the compiled code, production dependencies and the data files it reads.
FROM node:22-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /src/package.json ./package.json
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist/src ./dist/src
COPY rules ./rules
COPY manifests ./manifests
COPY examples ./examples
RUN ln -s /app/dist/src/cli/bin.js /usr/local/bin/meshgate && chmod +x /app/dist/src/cli/bin.js
# Non-root, numeric so runAsNonRoot can verify it; nothing is written outside mounted volumes
# (the self-signed CA goes where --ca-out says, e.g. an emptyDir), so readOnlyRootFilesystem works.
USER 65532:65532
EXPOSE 8443 9090
ENTRYPOINT ["meshgate"]
CMD ["serve"]
