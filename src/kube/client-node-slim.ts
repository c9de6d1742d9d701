// Keeps client-node's KubeConfig (config.js) and ListWatch (cache.js) from
// loading the generated code of every Kubernetes kind, which they import
// through two barrels for a few names: about 50 MiB resident that the
// operator never runs (bench/README.md, memory_10k). bin/depot.js registers
// these resolve hooks before anything else is loaded; the modules served
// instead are in client-node-slim/ and export exactly what the two files use
// (checked by client-node-slim.test.ts against the installed package).
// Without the hooks (tests, an older Node.js) everything loads as published.
import { registerHooks } from 'node:module';

const PACKAGE_DIST = '/@kubernetes/client-node/dist/';

/** What is served instead: importing file (under dist/) → specifier → replacement module. */
export const SLIM_ALIASES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  'config.js': { './gen/index.js': 'gen-index.js' },
  'cache.js': { './serializer.js': 'serializer.js' },
};

/** The replacement's URL when `parentURL` is one of client-node's files that has an alias for `specifier`. */
export function slimAlias(specifier: string, parentURL: string | undefined): string | undefined {
  if (!parentURL) return undefined;
  const at = parentURL.lastIndexOf(PACKAGE_DIST);
  if (at < 0) return undefined;
  const file = SLIM_ALIASES[parentURL.slice(at + PACKAGE_DIST.length)]?.[specifier];
  return file ? new URL(`./client-node-slim/${file}`, import.meta.url).href : undefined;
}

let registered = false;

/** Registers the resolve hooks (once); false where Node.js has no module.registerHooks. */
export function registerSlimClientNode(): boolean {
  if (registered) return true;
  if (typeof registerHooks !== 'function') return false;
  registerHooks({
    resolve(specifier, context, nextResolve) {
      const url = slimAlias(specifier, context.parentURL);
      return url ? { url, format: 'module', shortCircuit: true } : nextResolve(specifier, context);
    },
  });
  registered = true;
  return true;
}
