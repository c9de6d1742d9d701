// TLS from a certificate and key file, read again when either changes (a
// cert-manager renewal rewrites the mounted Secret): new connections get the
// new pair; a pair that does not load keeps the old one and is logged.
import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import { createSecureContext } from 'node:tls';
import type { Logger } from '../runtime/log.js';

export interface TlsFiles {
  certFile: string;
  keyFile: string;
}

export function readTls(files: TlsFiles): { cert: Buffer; key: Buffer } {
  const pair = { cert: readFileSync(files.certFile), key: readFileSync(files.keyFile) };
  createSecureContext(pair); // throws now, with the reason, when they do not form a pair
  return pair;
}

/** Calls `reload` with the new pair whenever a file changes; returns the stop function. */
export function watchTls(
  files: TlsFiles,
  reload: (pair: { cert: Buffer; key: Buffer }) => void,
  log: Logger,
  intervalMs = 2_000,
): () => void {
  const onChange = () => {
    try {
      reload(readTls(files));
      log.info({ certFile: files.certFile }, 'HTTP API: TLS certificate reloaded');
    } catch (err) {
      log.error(
        { err: (err as Error).message, certFile: files.certFile, keyFile: files.keyFile },
        'HTTP API: the changed TLS files do not load; keeping the previous certificate',
      );
    }
  };
  // Polling stat follows the symlinks a mounted Secret swaps on update.
  watchFile(files.certFile, { interval: intervalMs, persistent: false }, onChange);
  watchFile(files.keyFile, { interval: intervalMs, persistent: false }, onChange);
  return () => {
    unwatchFile(files.certFile, onChange);
    unwatchFile(files.keyFile, onChange);
  };
}
