// Issues the HTTP API's own certificates with node-forge (Node has no X.509
// writer): a CA, and a serving certificate it signs. The CA outlives many
// serving certificates, so clients that trust ca.crt keep working across
// rotations; RSA keys come from Node's native generator.
import { X509Certificate, generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';
import type { CertificateFacts, SubjectNames } from '../core/api-certificate.js';

export interface KeyPairPem {
  cert: string;
  key: string;
}

/** The CA outlives this many serving certificates. */
export const CA_LIFETIMES = 10;

function rsaKeys(): {
  privateKey: forge.pki.rsa.PrivateKey;
  publicKey: forge.pki.rsa.PublicKey;
  pem: string;
} {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const key = forge.pki.privateKeyFromPem(pem) as forge.pki.rsa.PrivateKey;
  return { privateKey: key, publicKey: forge.pki.setRsaPublicKey(key.n, key.e), pem };
}

function newCertificate(
  publicKey: forge.pki.PublicKey,
  now: Date,
  lifetimeMs: number,
): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  // Positive 128-bit serial (a leading 0 nibble keeps the DER integer positive).
  cert.serialNumber = '0' + randomBytes(16).toString('hex');
  // Slack for clocks a little behind ours: a minute, less for short lifetimes.
  cert.validity.notBefore = new Date(now.getTime() - Math.min(60_000, lifetimeMs / 10));
  cert.validity.notAfter = new Date(now.getTime() + lifetimeMs);
  return cert;
}

/** A self-signed CA that may sign serving certificates only (pathLen 0). */
export function issueCa(commonName: string, now: Date, lifetimeMs: number): KeyPairPem {
  const keys = rsaKeys();
  const cert = newCertificate(keys.publicKey, now, lifetimeMs);
  const name = [{ name: 'commonName', value: commonName }];
  cert.setSubject(name);
  cert.setIssuer(name);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert), key: keys.pem };
}

/** A serving certificate for `names`, signed by `ca`. */
export function issueServing(
  ca: KeyPairPem,
  names: SubjectNames,
  commonName: string,
  now: Date,
  lifetimeMs: number,
): KeyPairPem {
  if (names.dns.length + names.ips.length === 0)
    throw new Error('a serving certificate needs at least one name');
  const caCert = forge.pki.certificateFromPem(ca.cert);
  const caKey = forge.pki.privateKeyFromPem(ca.key);
  const keys = rsaKeys();
  const cert = newCertificate(keys.publicKey, now, lifetimeMs);
  cert.setSubject([{ name: 'commonName', value: commonName }]);
  cert.setIssuer(caCert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    {
      name: 'subjectAltName',
      altNames: [
        ...names.dns.map((value) => ({ type: 2, value })),
        ...names.ips.map((ip) => ({ type: 7, ip })),
      ],
    },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
  ]);
  cert.sign(caKey, forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert), key: keys.pem };
}

/** Validity and names of the first certificate of a PEM (Node's parser; throws on a malformed one). */
export function certificateFacts(pem: string): CertificateFacts {
  const x = new X509Certificate(pem);
  const dns: string[] = [];
  const ips: string[] = [];
  for (const entry of (x.subjectAltName ?? '').split(', ')) {
    if (entry.startsWith('DNS:')) dns.push(entry.slice(4));
    else if (entry.startsWith('IP Address:')) ips.push(entry.slice(11).toLowerCase());
  }
  return { notBefore: new Date(x.validFrom), notAfter: new Date(x.validTo), dns, ips };
}

/** Whether `cert` was signed by the first certificate of `caPem`. */
export function signedBy(cert: string, caPem: string): boolean {
  try {
    return new X509Certificate(cert).verify(new X509Certificate(caPem).publicKey);
  } catch {
    return false;
  }
}
