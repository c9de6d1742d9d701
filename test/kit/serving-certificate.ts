// A serving certificate for 127.0.0.1 signed by a fresh CA, made by the
// control plane's own depot-pki binary (already built for the run): what a
// test serves the HTTP API with, and the CA a client trusts (--ca-file).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBinaries } from '../../src/local/controlplane/index.js';
import { generatePki } from '../../src/local/controlplane/pki.js';

export interface ServingCertificate {
  /** The CA that signed it (PEM file). */
  ca: string;
  cert: string;
  key: string;
}

export async function servingCertificate(): Promise<ServingCertificate> {
  const dir = mkdtempSync(join(tmpdir(), 'depot-serving-cert-'));
  generatePki(await ensureBinaries(), dir);
  return { ca: join(dir, 'ca.crt'), cert: join(dir, 'apiserver.crt'), key: join(dir, 'apiserver.key') };
}
