// A write the API server rejects as invalid is a terminal failure: reported
// once, never retried in a loop, not sent again while it would be the same.
import { KubeApiError } from '../kube/errors.js';
import { failureHandling } from './controller.js';
import { ConfigMaps } from '../kube/resource.js';
import {
  isTooLarge,
  RejectedWrites,
  TerminalError,
  terminalIfInvalid,
  terminalIfTooLarge,
  TOO_LARGE,
} from './terminal-error.js';
import { NotLeaderError } from './writes.js';

const Probes = { group: 'probe.depot.sh', version: 'v1', plural: 'probes', kind: 'Probe', namespaced: true };
const probe = { metadata: { namespace: 'ns', name: 'p' } };
const invalid = new KubeApiError(
  422,
  'Probe.probe.depot.sh "p" is invalid: status.output: Too long: may not be more than 64 bytes',
  'Invalid',
);

test('a 422 on a status write becomes a TerminalError naming the object and the field', () => {
  const err = terminalIfInvalid(invalid, Probes, probe, 'status');
  expect(err).toBeInstanceOf(TerminalError);
  const t = err as TerminalError;
  expect(t.message).toContain('status of Probe ns/p');
  expect(t.message).toContain('status.output: Too long');
  expect(t).toMatchObject({ reason: 'StatusRejected', regarding: probe, repeated: false, cause: invalid });
});

test('a write refused as too large (413, or etcd behind any status code) is a TerminalError naming the size', () => {
  const refusals = [
    new KubeApiError(413, 'Request entity too large: limit is 3145728', 'RequestEntityTooLarge'),
    new KubeApiError(500, 'etcdserver: request is too large', 'InternalError'),
    new KubeApiError(422, 'rpc error: code = ResourceExhausted desc = etcdserver: request is too large'),
  ];
  for (const refusal of refusals) {
    expect(isTooLarge(refusal)).toBe(true);
    const t = terminalIfTooLarge(refusal, Probes, probe, 'status', () => 1_600_000) as TerminalError;
    expect(t).toBeInstanceOf(TerminalError);
    expect(t.message).toContain('refused the status of Probe ns/p as too large');
    expect(t.message).toContain('about 1600000 bytes of JSON');
    expect(t).toMatchObject({ reason: TOO_LARGE, regarding: probe, cause: refusal });
  }
  for (const err of [new KubeApiError(500, 'etcd leader changed'), new KubeApiError(409, 'conflict')])
    expect(terminalIfTooLarge(err, Probes, probe, 'status', () => 1)).toBe(err);
});

test('other errors stay as they are (they are retried)', () => {
  for (const err of [new KubeApiError(409, 'conflict'), new KubeApiError(500, 'etcd'), new Error('net')])
    expect(terminalIfInvalid(err, ConfigMaps, probe, undefined)).toBe(err);
});

test.each([
  ['a TerminalError', new TerminalError('x'), false, 'terminal'],
  ['a TerminalError already reported', new TerminalError('x').again(), false, 'terminal-repeated'],
  ['a 409 Conflict', new KubeApiError(409, 'conflict'), false, 'conflict'],
  ['a 422 that nobody converted', invalid, false, 'terminal'],
  ['a 500', new KubeApiError(500, 'etcd'), false, 'retry'],
  ['a plain error', new Error('boom'), false, 'retry'],
  ['anything after leadership was lost', new TerminalError('x'), true, 'interrupted'],
  ['a write refused for not leading', new NotLeaderError(), false, 'interrupted'],
] as const)('the controller handles %s as %s', (_, err, aborted, want) => {
  expect(failureHandling(err, aborted)).toBe(want);
});

describe('RejectedWrites', () => {
  const key = RejectedWrites.key(Probes, probe, 'status');
  const rejected = terminalIfInvalid(invalid, Probes, probe, 'status') as TerminalError;

  test('the same patch again is refused without a request, as an already reported error', () => {
    const writes = new RejectedWrites();
    writes.remember(key, { status: { output: 'X' } }, rejected);
    const again = writes.check(key, { status: { output: 'X' } });
    expect(again).toBeInstanceOf(TerminalError);
    expect(again).toMatchObject({ repeated: true, message: rejected.message, reason: 'StatusRejected' });
  });

  test('a patch that differs only in timestamps is the same write', () => {
    const writes = new RejectedWrites();
    const at = (time: string) => ({ status: { output: 'X', conditions: [{ lastTransitionTime: time }] } });
    writes.remember(key, at('2026-01-01T00:00:00Z'), rejected);
    expect(writes.check(key, at('2026-01-01T00:00:07Z'))).toBeDefined();
  });

  test('a different patch, another object, or a later success lets the write through', () => {
    const writes = new RejectedWrites();
    writes.remember(key, { status: { output: 'X' } }, rejected);
    expect(writes.check(key, { status: { output: 'Y' } })).toBeUndefined();
    expect(
      writes.check(RejectedWrites.key(Probes, probe, undefined), { status: { output: 'X' } }),
    ).toBeUndefined();
    writes.forget(key);
    expect(writes.check(key, { status: { output: 'X' } })).toBeUndefined();
  });

  test('is bounded: the oldest entries go first', () => {
    const writes = new RejectedWrites(2);
    for (const name of ['a', 'b', 'c']) writes.remember(name, {}, rejected);
    expect(writes.size).toBe(2);
    expect(writes.check('a', {})).toBeUndefined();
    expect(writes.check('c', {})).toBeDefined();
  });
});
