// Waiting for the control plane's servers: a check polled until it passes, a
// process dies (its log tail becomes the error) or the time is up.
import { get } from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import { ControlPlaneError } from './errors.js';
import { adminTls } from './pki.js';

export async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  alive: () => string | undefined,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const died = alive();
    if (died) throw new ControlPlaneError(died);
    if (await check().catch(() => false)) return;
    await sleep(200);
  }
  throw new ControlPlaneError(`${what} did not become ready within ${Math.round(timeoutMs / 1000)}s`);
}

export async function httpOk(url: string): Promise<boolean> {
  const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
  return res.ok;
}

/** Asks /readyz with the admin client certificate (curl-free: node's https). */
export async function apiserverReady(server: string, pki: string): Promise<boolean> {
  return new Promise((res) => {
    const req = get(`${server}/readyz`, { ...adminTls(pki), timeout: 2000 }, (r) => {
      r.resume();
      res(r.statusCode === 200);
    });
    req.on('error', () => res(false));
    req.on('timeout', () => {
      req.destroy();
      res(false);
    });
  });
}
