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
// objects. V8 sizes its young generation from the machine's memory (64 MiB
// semi-spaces, 128 MiB resident, on a 24 GB machine) and a cache of
// long-lived objects gains nothing from that, so these commands run with
// 16 MiB semi-spaces unless the command line or NODE_OPTIONS sets the size
// (bench/README.md, memory_10k). process.execve keeps the process ID, so
// signals, /proc and a container's PID 1 are unaffected.
const SEMI_SPACE_MIB = 16;
const longRunning = process.argv[2] === 'operator' || process.argv[2] === 'agent';
const nodeFlags = process.execArgv.join(' ') + ' ' + (process.env.NODE_OPTIONS || '');
if (longRunning && typeof process.execve === 'function' && nodeFlags.indexOf('--max-semi-space-size') < 0) {
  process.execve(
    process.execPath,
    [process.execPath, '--max-semi-space-size=' + SEMI_SPACE_MIB].concat(
      process.execArgv,
      process.argv.slice(1),
    ),
    process.env,
  );
}

// client-node's KubeConfig and ListWatch would load the generated code of
// every Kubernetes kind (about 50 MiB resident) for a few names: resolve hooks
// serve them slim modules instead (dist/kube/client-node-slim.js).
import('../dist/kube/client-node-slim.js')
  .then((slim) => slim.registerSlimClientNode())
  .then(() => import('../dist/cli/main.js'))
  .then((cli) => cli.main(process.argv))
  .catch((err) => {
    const notBuilt =
      err instanceof Error &&
      err.code === 'ERR_MODULE_NOT_FOUND' &&
      /\/dist\/(cli\/main|kube\/client-node-slim)\.js$/.test(String(err.url));
    process.stderr.write(
      notBuilt
        ? 'error: depot is not built yet: run `make build` (or `npm run build`) first\n'
        : `error: could not load depot: ${err instanceof Error ? err.message : String(err)}\n`,
    );
    if (process.env.DEPOT_DEBUG === '1' && err instanceof Error) process.stderr.write(`${err.stack}\n`);
    process.exitCode = 1;
  });
