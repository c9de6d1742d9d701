#!/usr/bin/env node
// Entry point of the `depot` CLI (also `kubectl depot`); runs main() of dist/
// (`npm run build`). The Node.js version is checked before anything is loaded
// (the dependencies die with a stack trace on < 22.19), so that an old Node.js
// gets this far the file has no import declarations, import.meta or top-level
// await (it parses as a CommonJS script too) and no syntax newer than Node.js 10.

// Keep in step with NODE_VERSION in scripts/ensure-node.sh (a test compares them).
const PINNED_NODE = '24.21.0';
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 19)) {
  process.stderr.write(
    `error: depot needs Node.js >= 22.19, this is ${process.version} (${process.execPath}); ` +
      `install a newer one, or in a Depot checkout run bin/depot, which uses the pinned Node.js ${PINNED_NODE} in .cache/node-${PINNED_NODE}/bin ` +
      '(scripts/ensure-node.sh or any make target fetches it once)\n',
  );
  process.exit(1);
}

// `depot operator` and `depot agent` run for long and cache many long-lived
// objects: they run with the Node.js flags and malloc settings of
// dist/cli/node-tuning.js (young-generation size, old space from a container
// memory limit, malloc arenas), applied by re-executing this file with them
// unless the command line, NODE_OPTIONS or the environment already sets them.
// process.execve keeps the process ID, so signals, /proc and a container's
// PID 1 are unaffected.
function tuneLongRunning() {
  const longRunning = process.argv[2] === 'operator' || process.argv[2] === 'agent';
  if (!longRunning || typeof process.execve !== 'function') return Promise.resolve();
  return import('../dist/cli/node-tuning.js').then((t) => {
    const tuning = t.nodeTuning({
      execArgv: process.execArgv,
      nodeOptions: process.env.NODE_OPTIONS,
      env: process.env,
      memoryLimitBytes: t.cgroupMemoryLimit(),
    });
    if (tuning.flags.length === 0 && Object.keys(tuning.env).length === 0) return;
    process.execve(
      process.execPath,
      [process.execPath].concat(tuning.flags, process.execArgv, process.argv.slice(1)),
      Object.assign({}, process.env, tuning.env),
    );
  });
}

// client-node's KubeConfig and ListWatch would load the generated code of
// every Kubernetes kind (about 50 MiB resident) for a few names: resolve hooks
// serve them slim modules instead (dist/kube/client-node-slim.js).
tuneLongRunning()
  .then(() => import('../dist/kube/client-node-slim.js'))
  .then((slim) => slim.registerSlimClientNode())
  .then(() => import('../dist/cli/main.js'))
  .then((cli) => cli.main(process.argv))
  .catch((err) => {
    const notBuilt =
      err instanceof Error &&
      err.code === 'ERR_MODULE_NOT_FOUND' &&
      /\/dist\/(cli\/main|cli\/node-tuning|kube\/client-node-slim)\.js$/.test(String(err.url));
    process.stderr.write(
      notBuilt
        ? 'error: depot is not built yet: run `make build` (or `npm run build`) first\n'
        : `error: could not load depot: ${err instanceof Error ? err.message : String(err)}\n`,
    );
    if (process.env.DEPOT_DEBUG === '1' && err instanceof Error) process.stderr.write(`${err.stack}\n`);
    process.exitCode = 1;
  });
