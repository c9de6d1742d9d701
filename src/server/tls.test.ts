// The HTTP API over TLS from certificate and key files, and a new pair
// written to the same files is served without a restart.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, renameSync } from 'node:fs';
import { get } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { setTimeout as sleep } from 'node:timers/promises';
import { MemoryCluster } from '../runtime/testing/memory-cluster.js';
import { memoryDeps } from '../runtime/testing/memory-deps.js';
import { ApiServer } from './api-server.js';

const dir = mkdtempSync(join(tmpdir(), 'depot-tls-'));

/** A self-signed certificate for 127.0.0.1, written to name.crt / name.key. */
function selfSigned(name: string): { cert: string; key: string } {
  const cert = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '1',
      '-subj',
      `/CN=${name}`,
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  return { cert, key };
}

/** The certificate's CN the server presents, trusting `ca`. */
function servedName(port: number, ca: string): Promise<{ cn: string; status: number }> {
  return new Promise((resolve, reject) => {
    const req = get(
      { host: '127.0.0.1', port, path: '/api/v1/version', ca: readFileSync(ca), agent: false },
      (res) => {
        const cn = (res.socket as TLSSocket).getPeerCertificate().subject.CN as string;
        res.resume();
        resolve({ cn, status: res.statusCode ?? 0 });
      },
    );
    req.on('error', reject);
  });
}

test('TLS from files; a renewed certificate is picked up without a restart', async () => {
  const first = selfSigned('first');
  const files = { certFile: join(dir, 'tls.crt'), keyFile: join(dir, 'tls.key') };
  renameSync(first.cert, files.certFile);
  renameSync(first.key, files.keyFile);
  const server = new ApiServer(memoryDeps(new MemoryCluster()), {
    address: '127.0.0.1:0',
    tls: files,
    tlsReloadIntervalMs: 50,
  });
  const stop = new AbortController();
  void server.start(stop.signal);
  try {
    const { port } = await server.address;
    expect(await servedName(port, files.certFile)).toEqual({ cn: 'first', status: 200 });

    const second = selfSigned('second');
    renameSync(second.key, files.keyFile);
    renameSync(second.cert, files.certFile);
    let served = '';
    for (let i = 0; i < 100 && served !== 'second'; i++) {
      await sleep(100);
      served = (await servedName(port, files.certFile).catch(() => ({ cn: '' }))).cn;
    }
    expect(served).toBe('second');
  } finally {
    stop.abort();
  }
});
