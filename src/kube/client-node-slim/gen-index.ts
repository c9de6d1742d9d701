// Served to client-node's config.js in place of its generated barrel
// (./gen/index.js, every typed API and model): the two names it imports.
// client-node-slim.test.ts checks that config.js imports nothing else.
export { createConfiguration } from '@kubernetes/client-node/dist/gen/configuration.js';
export { ServerConfiguration } from '@kubernetes/client-node/dist/gen/servers.js';
