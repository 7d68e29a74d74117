# syntax=docker/dockerfile:1
# One image for both processes (deploy/): `infernode leader …` and `infernode agent …`.
# Build: docker build -t ghcr.io/infernode/infernode:0.1.0 .   (ghcr.io/infernode is a placeholder)
#
# GPU tools are not baked in: on NVIDIA nodes the NVIDIA container toolkit mounts nvidia-smi and
# NVML into the agent (NVIDIA_VISIBLE_DEVICES=all, NVIDIA_DRIVER_CAPABILITIES=utility in the
# DaemonSet); on AMD nodes mount the host's ROCm (rocm-smi) into the agent.

ARG NODE_IMAGE=node:20-bookworm-slim

# ---- build: all dependencies, compile TypeScript to dist/ ----
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` would compile before the sources are copied.
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY scripts/build-console.mjs ./scripts/
RUN npx tsc -p tsconfig.build.json && node scripts/build-console.mjs && chmod +x dist/cli/main.js

# ---- deps: production dependencies only (none needs an install script) ----
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --ignore-scripts && npm cache clean --force

# ---- runtime: slim Node 20, dist + production node_modules, non-root ----
FROM ${NODE_IMAGE}
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
RUN ln -s /app/dist/cli/main.js /usr/local/bin/infernode
# A numeric user, so Kubernetes can verify runAsNonRoot; the manifests run as 10001 too.
USER 10001:10001
EXPOSE 8080 8081 9100
ENTRYPOINT ["infernode"]
CMD ["--help"]
