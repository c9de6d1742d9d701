import { describe, expect, it } from '@jest/globals';
import {
  checkIntervalMs,
  reissueReason,
  rotationTime,
  serviceDnsNames,
  subjectNames,
} from './api-certificate.js';

const at = (iso: string) => new Date(iso);
const cert = {
  notBefore: at('2026-01-01T00:00:00Z'),
  notAfter: at('2026-01-31T00:00:00Z'), // 30 days
  dns: ['depot', 'depot.ops', 'depot.ops.svc', 'depot.ops.svc.cluster.local', 'depot.example.com'],
  ips: ['10.0.0.1'],
};
const wanted = subjectNames({ service: 'depot', namespace: 'ops', hosts: ['depot.example.com', '10.0.0.1'] });

describe('subject names', () => {
  it('names the Service the four ways a client in the cluster may', () => {
    expect(serviceDnsNames('depot-operator', 'depot-system')).toEqual([
      'depot-operator',
      'depot-operator.depot-system',
      'depot-operator.depot-system.svc',
      'depot-operator.depot-system.svc.cluster.local',
    ]);
    expect(serviceDnsNames('d', 'n', 'corp.internal')).toContain('d.n.svc.corp.internal');
  });

  it('adds configured hosts, IP literals as IP names, lower case, each once', () => {
    expect(
      subjectNames({
        service: 'depot',
        namespace: 'ops',
        hosts: ['Depot.Example.com', '127.0.0.1', '::1', 'depot', ' ', 'fd00::10'],
      }),
    ).toEqual({
      dns: ['depot', 'depot.ops', 'depot.ops.svc', 'depot.ops.svc.cluster.local', 'depot.example.com'],
      ips: ['127.0.0.1', '::1', 'fd00::10'],
    });
    expect(subjectNames({ namespace: 'ops', hosts: ['localhost'] })).toEqual({ dns: ['localhost'], ips: [] });
  });
});

describe('when to issue a new certificate', () => {
  it('rotates with a third of the lifetime left', () => {
    expect(rotationTime(cert)).toEqual(at('2026-01-21T00:00:00Z'));
    expect(reissueReason(cert, wanted, at('2026-01-20T23:59:59Z'))).toBeUndefined();
    expect(reissueReason(cert, wanted, at('2026-01-21T00:00:00Z'))).toMatch(
      /less than a third of its lifetime/,
    );
    expect(reissueReason(cert, wanted, at('2026-02-01T00:00:00Z'))).toMatch(/expires at 2026-01-31/);
  });

  it('issues when none is stored, or one is not valid yet', () => {
    expect(reissueReason(undefined, wanted, at('2026-01-02T00:00:00Z'))).toBe('no certificate is stored');
    expect(reissueReason(cert, wanted, at('2025-12-31T00:00:00Z'))).toMatch(/not valid yet/);
  });

  it('issues when a wanted name is missing, not when the stored one names more', () => {
    const now = at('2026-01-02T00:00:00Z');
    const more = subjectNames({
      service: 'depot',
      namespace: 'ops',
      hosts: ['depot.example.com', '10.0.0.2'],
    });
    expect(reissueReason(cert, more, now)).toBe('the stored certificate does not name 10.0.0.2');
    const fewer = subjectNames({ service: 'depot', namespace: 'ops', hosts: [] });
    expect(reissueReason(cert, fewer, now)).toBeUndefined();
  });

  it('looks a twentieth of the lifetime apart, between 1 s and 1 min', () => {
    expect(checkIntervalMs(90 * 86_400_000)).toBe(60_000);
    expect(checkIntervalMs(40_000)).toBe(2_000);
    expect(checkIntervalMs(10_000)).toBe(1_000);
  });
});
