// Stops a test control plane when the Jest process that owns it is gone
// (Ctrl-C or kill before the global teardown ran). Usage: watchdog.js OWNER_PID DIR
import { readFileSync, rmSync } from 'node:fs';
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
const kill = (pid, signal) => {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      /* gone */
    }
  }
};

process.on('SIGTERM', () => process.exit(0));
const timer = setInterval(() => {
  if (alive(owner)) return;
  clearInterval(timer);
  let pids = [];
  try {
    pids = Object.values(JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')).pids).filter(Boolean);
  } catch {
    /* never started or already stopped */
  }
  for (const pid of pids) kill(pid, 'SIGTERM');
  setTimeout(() => {
    for (const pid of pids) if (alive(pid)) kill(pid, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  }, 5000);
}, 500);
