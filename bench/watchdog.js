// Stops what a benchmark run started (the operator, then the control plane)
// when the harness process is gone without cleaning up (killed, crashed).
// Usage: watchdog.js OWNER_PID BENCH_DIR   (BENCH_DIR holds operator.pid and controlplane/)
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const [owner, dir] = [Number(process.argv[2]), process.argv[3]];
const alive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const kill = (pid, signal, group) => {
  try {
    process.kill(group ? -pid : pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      /* gone */
    }
  }
};
const read = (file) => {
  try {
    return readFileSync(join(dir, file), 'utf8');
  } catch {
    return undefined;
  }
};

process.on('SIGTERM', () => process.exit(0));
const timer = setInterval(() => {
  if (alive(owner)) return;
  clearInterval(timer);
  const operator = Number(read('operator.pid'));
  if (operator) kill(operator, 'SIGKILL', false);
  let pids = [];
  try {
    pids = Object.values(JSON.parse(read(join('controlplane', 'state.json')) ?? '{}').pids ?? {}).filter(
      Boolean,
    );
  } catch {
    /* never started or already stopped */
  }
  // Each control-plane binary leads its own process group.
  for (const pid of pids) kill(pid, 'SIGTERM', true);
  setTimeout(() => {
    for (const pid of pids) if (alive(pid)) kill(pid, 'SIGKILL', true);
    process.exit(0);
  }, 5000);
}, 500);
