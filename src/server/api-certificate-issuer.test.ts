import { describe, expect, it } from '@jest/globals';
import { X509Certificate } from 'node:crypto';
import { createSecureContext } from 'node:tls';
import { subjectNames } from '../core/api-certificate.js';
import { certificateFacts, issueCa, issueServing, signedBy } from './api-certificate-issuer.js';
import { nextCertificate, readStored } from './api-certificate-secret.js';

const now = new Date('2026-12-07T12:00:00Z');
const names = subjectNames({ service: 'depot', namespace: 'ops', hosts: ['depot.example.com', '127.0.0.1'] });
const hour = 3_600_000;

const secretOf = (s: ReturnType<typeof nextCertificate>) => ({
  data: Object.fromEntries(
    Object.entries({
      'tls.crt': s.serving.cert,
      'tls.key': s.serving.key,
      'ca.crt': s.caBundle,
      'ca.key': s.ca.key,
    }).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
  ),
});

describe('the issued certificates', () => {
  const ca = issueCa('depot CA', now, 10 * hour);
  const serving = issueServing(ca, names, 'depot', now, hour);

  it('a CA that signs a serving certificate with the names and lifetime asked for', () => {
    const x = new X509Certificate(serving.cert);
    expect(x.ca).toBe(false);
    expect(new X509Certificate(ca.cert).ca).toBe(true);
    expect(signedBy(serving.cert, ca.cert)).toBe(true);
    expect(x.checkHost('depot.ops.svc.cluster.local')).toBe('depot.ops.svc.cluster.local');
    expect(x.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(x.checkHost('evil.example.com')).toBeUndefined();
    const facts = certificateFacts(serving.cert);
    expect(facts).toMatchObject(names);
    expect(facts.notAfter).toEqual(new Date(now.getTime() + hour));
    expect(() => createSecureContext(serving)).not.toThrow();
  });

  it('keeps the CA while it has a third of its life left, and bundles the old one after', () => {
    const first = readStored(
      secretOf(nextCertificate({ unusable: 'none' }, { names, lifetimeMs: hour, name: 'depot' }, now)),
    );
    if (!('stored' in first)) throw new Error(first.unusable);
    const later = new Date(now.getTime() + hour);
    const rotated = nextCertificate(first, { names, lifetimeMs: hour, name: 'depot' }, later);
    expect(rotated.ca.cert).toBe(first.stored.ca.cert);
    expect(rotated.serving.cert).not.toBe(first.stored.serving.cert);
    const caDue = new Date(now.getTime() + 7 * hour);
    const newCa = nextCertificate(first, { names, lifetimeMs: hour, name: 'depot' }, caDue);
    expect(newCa.ca.cert).not.toBe(first.stored.ca.cert);
    expect(newCa.caBundle).toBe(newCa.ca.cert + first.stored.ca.cert);
    expect(signedBy(newCa.serving.cert, newCa.ca.cert)).toBe(true);
  });

  it('refuses a Secret whose parts do not belong together', () => {
    expect(readStored(undefined)).toEqual({ unusable: 'no certificate is stored' });
    expect(readStored({ data: {} })).toEqual({
      unusable: 'the Secret lacks tls.crt, tls.key, ca.crt or ca.key',
    });
    const other = issueCa('other CA', now, hour);
    const s = nextCertificate({ unusable: 'none' }, { names, lifetimeMs: hour, name: 'depot' }, now);
    expect(readStored(secretOf({ ...s, caBundle: other.cert }))).toEqual({
      unusable: 'tls.crt is not signed by the first certificate of ca.crt',
    });
  });
});
