# Depot. `make demo` and `make test` work on a fresh machine: they fetch a
# pinned Node.js 24 when the machine's is older than 22.19, install the npm
# dependencies, and build the local control plane from Go modules.
SHELL := /bin/bash
.DEFAULT_GOAL := help

NODE_BIN := $(shell scripts/ensure-node.sh)
ifeq ($(NODE_BIN),)
$(error could not provide Node.js >= 22.19 (see the message above))
endif
export PATH := $(NODE_BIN):$(PATH)
export npm_config_update_notifier := false
export npm_config_fund := false
export npm_config_audit := false

JEST := node --experimental-vm-modules node_modules/jest/bin/jest.js

.PHONY: help deps build controlplane flux helm gitserver argocd test test-unit lint image e2e-kind bench bench-quick bench-readme demo local-up local-down clean crds

help:
	@echo "make demo   - the tour on a local control plane: the operator as its ServiceAccount, CI → dev → staging, a blocked request, a rollback (DEMO_EXIT=1: run to the end and exit)"
	@echo "make test   - every test (unit and integration against a real kube-apiserver + etcd)"
	@echo "make lint   - eslint + prettier + hadolint (Dockerfile)"
	@echo "make e2e-kind - image + kind cluster + chart + the tour (skipped without docker/podman)"
	@echo "make bench  - core micro-benchmarks + the operator benchmarks of bench/ (about 45 min)"
	@echo "make bench-quick - the operator benchmarks with 100 applications (smoke test)"

node_modules/.package-lock.json: package.json package-lock.json
	@# The lock file is npm ci-clean (the image runs npm ci); npm install here keeps an
	@# existing node_modules (npm ci would delete it first) and installs the locked versions.
	npm install --no-audit --no-fund --loglevel=error
	@touch $@

deps: node_modules/.package-lock.json

# dist/ (the operator and CLI) and dist/ui (the dashboard's page, vite build of ui/).
build: deps
	npx tsc -p tsconfig.build.json
	npm run --silent build:ui

controlplane:
	@scripts/build-controlplane.sh >/dev/null

# Flux's source-, kustomize-, helm- and notification-controller, for the Flux integration tests.
flux:
	@scripts/build-flux.sh >/dev/null

# The helm CLI, for the tests of the chart in helm/depot (helm lint, helm template).
helm:
	@scripts/build-helm.sh >/dev/null

# The local Git and Helm chart server that real Argo CD and Flux sync from.
gitserver:
	@scripts/build-gitserver.sh >/dev/null

# Argo CD (application controller, repo-server, applicationset-controller) and
# kustomize, for the real-Argo-CD tests and the tour (Go 1.27 toolchain).
argocd:
	@scripts/build-argocd.sh >/dev/null

test: build controlplane flux helm gitserver argocd
	@mkdir -p .cache
	@rm -f .cache/jest-results.json
	$(JEST) --ci --maxWorkers=2 --json --outputFile=.cache/jest-results.json; \
	  status=$$?; node scripts/jest-summary.js .cache/jest-results.json || status=1; exit $$status

test-unit: build
	$(JEST) --selectProjects unit

# Regenerates crds/ from the zod schemas in src/api (a unit test fails when they differ).
crds: deps
	npm run gen:crds

lint: deps
	npx eslint .
	npx tsc -p ui/tsconfig.json --noEmit
	npx prettier --check .
	@hadolint="$$(scripts/ensure-hadolint.sh)" && echo "hadolint Dockerfile" && "$$hadolint" --config .hadolint.yaml Dockerfile

# The container image (needs a container engine; not used by make test).
image:
	docker build -t depot:dev .

# End to end on kind: the image, a kind cluster, the chart, the tour. Without
# docker or podman it prints one line saying it was skipped and exits 0.
e2e-kind:
	@test/e2e/kind/run.sh

# bench/run.ts: the operator as a process against a dedicated local control
# plane (.cache/bench); results in bench/results/, table on stdout. Timing never
# fails the build; a scenario that errors does.
bench: build controlplane helm gitserver argocd
	npx tsx bench/core.bench.ts
	npx tsx bench/compat.bench.ts
	npx tsx bench/reconcile.bench.ts
	npx tsx bench/http-api.bench.ts
	npx tsx bench/run.ts
	npx tsx bench/update-readme.ts

bench-quick: build controlplane
	npx tsx bench/run.ts --quick

# Regenerates the README's benchmark table from bench/results/latest.json.
bench-readme: deps
	npx tsx bench/update-readme.ts

demo: build controlplane helm gitserver argocd
	node bin/depot.js local demo

local-up: build
	node bin/depot.js local up

local-down: build
	node bin/depot.js local down

clean:
	rm -rf dist .cache/test-runs .cache/jest-results.json
