// The parts of @kubernetes/client-node the operator and the agent run on,
// imported from their own modules. The package's index (and each generated
// typed API such as CoordinationV1Api) loads the generated code of every
// Kubernetes kind: about 80 MiB resident before the first object is cached
// (bench/README.md, memory_10k). Runtime code imports client-node values from
// here only; types may come from the index (`import type` loads nothing).
// client-node 2.x has no `exports` map, so these paths are public files of
// the package; `client-node-slim.ts` keeps config.js and cache.js from
// loading the generated barrels themselves.
export { KubeConfig } from '@kubernetes/client-node/dist/config.js';
export { Watch } from '@kubernetes/client-node/dist/watch.js';
export { ListWatch } from '@kubernetes/client-node/dist/cache.js';
export {
  HttpMethod,
  RequestContext,
  ResponseContext,
  wrapHttpLibrary,
} from '@kubernetes/client-node/dist/gen/http/http.js';
export { IsomorphicFetchHttpLibrary } from '@kubernetes/client-node/dist/gen/http/isomorphic-fetch.js';
export { createConfiguration } from '@kubernetes/client-node/dist/gen/configuration.js';
export { ServerConfiguration } from '@kubernetes/client-node/dist/gen/servers.js';
export { PatchStrategy } from '@kubernetes/client-node/dist/patch.js';
export { setHeaderOptions } from '@kubernetes/client-node/dist/middleware.js';
