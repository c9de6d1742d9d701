# Depot's image: `depot operator` by default; the same image runs the agent
# with the arguments `agent --server … --target …`.
#
# The build stage packs the package exactly as `npm pack` does (prepack
# compiles dist/), the runtime stage gets that package with its production
# dependencies only, so the image holds what `npm install -g` would install.
# test/packaging/ checks this file's rules and performs the same install.
#
# Keep the Node.js tag in step with NODE_VERSION in scripts/ensure-node.sh
# (a test compares them).

FROM node:24.21.0-bookworm-slim AS build
WORKDIR /src
ENV npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
COPY package.json package-lock.json ./
# No dependency needs an install script to compile dist/.
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json README.md ./
COPY bin/depot.js bin/depot.js
COPY crds crds
COPY src src
# The dashboard's page: prepack builds it into dist/ui (vite build of ui/).
COPY ui ui
# The package (files of package.json) unpacked in /app, then its production
# dependencies from the lock file; npm's cache stays in this stage.
RUN npm pack --pack-destination /tmp \
  && mkdir /app \
  && tar -xzf /tmp/depot-operator-*.tgz -C /app --strip-components=1 \
  && cp package-lock.json /app/
WORKDIR /app
RUN npm ci --omit=dev --ignore-scripts

FROM node:24.21.0-bookworm-slim
ARG VERSION=0.1.0
LABEL org.opencontainers.image.title="depot" \
      org.opencontainers.image.description="Depot: the Kubernetes operator that is the single source of truth for which version of which application runs where" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.source="https://github.com/depot-sh/depot" \
      org.opencontainers.image.base.name="docker.io/library/node:24.21.0-bookworm-slim"
# HOME in /tmp: the root filesystem may be read-only, and nothing else is written.
ENV NODE_ENV=production HOME=/tmp
WORKDIR /app
# Owned by root and not writable by the user that runs it.
COPY --from=build /app /app
USER 65532:65532
ENTRYPOINT ["node", "/app/bin/depot.js"]
CMD ["operator"]
