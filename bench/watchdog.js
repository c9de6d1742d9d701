// Stops what a benchmark run started when the harness is gone without cleaning
// up (Ctrl-C, killed, crashed): the operator, then etcd and kube-apiserver,
// found by pid files and by command lines naming this run's directory, and
// removes the control plane's data like `down --purge`.
// Usage: watchdog.js OWNER_PID BENCH_DIR   (BENCH_DIR holds operator.pid and controlplane/)
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const [owner, dir] = [Number(process.argv[2]), process.argv[3]];
const controlplane = join(dir, 'controlplane');

const alive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const kill = (pid, signal) => {
  try {
    process.kill(pid, signal);
  } catch {
    /* gone */
  }
};
const read = (file) => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
};

/** Processes whose command line names this run's control-plane directory. */
function controlPlaneProcesses() {
  const pids = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!pid || pid === process.pid) continue;
    const cmdline = read(join('/proc', entry, 'cmdline'));
    if (cmdline?.split('\0').some((arg) => arg.includes(`${controlplane}/`))) pids.push(pid);
  }
  return pids;
}

function cleanUp() {
  const operator = Number(read(join(dir, 'operator.pid')));
  if (operator) kill(operator, 'SIGKILL');
  let pids = [];
  try {
    pids = Object.values(JSON.parse(read(join(controlplane, 'state.json')) ?? '{}').pids ?? {});
  } catch {
    /* never started or already stopped */
  }
  pids = [...new Set([...pids.filter(Boolean), ...controlPlaneProcesses()])];
  for (const pid of pids) kill(pid, 'SIGTERM');
  const deadline = Date.now() + 10_000;
  const wait = setInterval(() => {
    const left = pids.filter(alive);
    if (left.length > 0 && Date.now() < deadline) return;
    clearInterval(wait);
    for (const pid of left) kill(pid, 'SIGKILL');
    for (const name of ['state.json', 'lock', 'etcd', 'apiserver-certs'])
      rmSync(join(controlplane, name), { recursive: true, force: true });
    rmSync(join(dir, 'operator.pid'), { force: true });
    process.exit(0);
  }, 200);
}

process.on('SIGTERM', () => process.exit(0));
const timer = setInterval(() => {
  if (alive(owner)) return;
  clearInterval(timer);
  cleanUp();
}, 500);
