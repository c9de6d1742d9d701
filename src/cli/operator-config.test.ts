// operatorConfig: what each flag of `depot operator` means to the operator,
// from flags parsed by the real command line (defaults included).
import { Command } from 'commander';
import { registerOperator } from './commands/operator.js';
import { operatorConfig, controllerSettings } from './operator-config.js';
import type { OperatorFlags } from './operator-flags.js';
import { DEFAULT_HISTORY_LIMIT } from '../core/history.js';

function flags(...args: string[]): OperatorFlags {
  const program = new Command('depot').exitOverride();
  let parsed: OperatorFlags | undefined;
  registerOperator(program, () => [])
    .exitOverride()
    .action((f: OperatorFlags) => {
      parsed = f;
    });
  program.parse(['node', 'depot', 'operator', ...args]);
  return parsed!;
}

test('the defaults: leader election in the default Lease, every integration, the HTTP API on :8082', () => {
  const config = operatorConfig(flags());
  expect(config.logLevel).toBe('info');
  expect(config.cluster).toEqual({});
  expect(config.manager).toEqual({
    namespaces: undefined,
    workers: 2,
    resyncPeriodMs: 600_000,
    retryBackoff: { baseMs: 500, maxMs: 300_000 },
    qps: expect.any(Number),
    burst: expect.any(Number),
    leaderElection: {
      leaseName: 'depot-operator',
      leaseDurationMs: 15_000,
      renewDeadlineMs: 10_000,
      retryPeriodMs: 2_000,
    },
    identity: undefined,
    healthAddress: ':8081',
    metricsAddress: ':8080',
    shutdownTimeoutMs: expect.any(Number),
  });
  expect(config.api).toEqual({
    address: ':8082',
    anonymousReads: false,
    verifiedActors: false,
    tls: undefined,
    agentContactIntervalMs: 30_000,
  });
  expect(config.controllers).toEqual({
    historyLimit: DEFAULT_HISTORY_LIMIT,
    verifiedActors: false,
    deliverySettings: {
      integrations: ['argocd', 'flux'],
      checkAuthorization: true,
      receiverUrlAllow: [],
      httpTimeoutMs: 10_000,
    },
    delivery: {
      retry: { baseMs: 2_000, maxMs: 300_000, jitter: 0.1 },
      concurrency: 16,
      inlineWaitMs: 1_000,
    },
    agentSilenceMs: expect.any(Number),
  });
});

test('each flag reaches the setting it names', () => {
  const config = operatorConfig(
    flags(
      '--kubeconfig=/k',
      '--context=c',
      '--namespaces=a, b',
      '--workers=4',
      '--resync-period=1m',
      '--leader-election-id=l',
      '--leader-election-namespace=ops',
      '--lease-duration=30s',
      '--renew-deadline=20s',
      '--retry-period=5s',
      '--health-addr=:9001',
      '--metrics-addr=0',
      '--kube-api-qps=2.5',
      '--kube-api-burst=7',
      '--log-level=debug',
      '--history-limit=50',
      '--audit-log=/audit.jsonl',
      '--identity=me',
      '--shutdown-timeout=3s',
      '--retry-base-delay=1s',
      '--retry-max-delay=1m',
      '--integrations=flux',
      '--no-delivery-authorization',
      '--delivery-retry-base-delay=3s',
      '--delivery-retry-max-delay=2m',
      '--delivery-inline-wait=0s',
      '--receiver-url-allow=http://nc/hook/',
      '--receiver-url-allow=https://other/',
      '--receiver-timeout=4s',
      '--delivery-concurrency=3',
      '--api-addr=127.0.0.1:9443',
      '--api-anonymous-reads',
      '--api-tls-cert=/tls.crt',
      '--api-tls-key=/tls.key',
      '--agent-silence=40s',
      '--verified-actors',
    ),
    { podName: 'pod-0' },
  );
  expect(config).toEqual({
    logLevel: 'debug',
    cluster: { kubeconfig: '/k', context: 'c' },
    manager: {
      namespaces: ['a', 'b'],
      workers: 4,
      resyncPeriodMs: 60_000,
      retryBackoff: { baseMs: 1_000, maxMs: 60_000 },
      qps: 2.5,
      burst: 7,
      leaderElection: {
        leaseName: 'l',
        leaseNamespace: 'ops',
        leaseDurationMs: 30_000,
        renewDeadlineMs: 20_000,
        retryPeriodMs: 5_000,
      },
      identity: 'me',
      healthAddress: ':9001',
      metricsAddress: '0',
      shutdownTimeoutMs: 3_000,
    },
    controllers: {
      historyLimit: 50,
      verifiedActors: true,
      auditLog: '/audit.jsonl',
      deliverySettings: {
        integrations: ['flux'],
        checkAuthorization: false,
        receiverUrlAllow: ['http://nc/hook/', 'https://other/'],
        httpTimeoutMs: 4_000,
      },
      delivery: { retry: { baseMs: 3_000, maxMs: 120_000, jitter: 0.1 }, concurrency: 3, inlineWaitMs: 0 },
      agentSilenceMs: 40_000,
    },
    api: {
      address: '127.0.0.1:9443',
      anonymousReads: true,
      verifiedActors: true,
      tls: { certFile: '/tls.crt', keyFile: '/tls.key' },
      // Four contacts per allowed silence at least.
      agentContactIntervalMs: 10_000,
    },
  });
});

test('$POD_NAME is the identity unless --identity is given; --no-leader-elect turns the election off', () => {
  expect(operatorConfig(flags(), { podName: 'pod-0' }).manager.identity).toBe('pod-0');
  expect(operatorConfig(flags('--identity=x'), { podName: 'pod-0' }).manager.identity).toBe('x');
  expect(operatorConfig(flags('--no-leader-elect')).manager.leaderElection).toBeUndefined();
});

test('--api-addr 0 turns the HTTP API off; --integrations "" runs none', () => {
  expect(operatorConfig(flags('--api-addr=0')).api).toBeUndefined();
  expect(controllerSettings(flags('--integrations=')).deliverySettings?.integrations).toEqual([]);
});

test('flags that can only be wrong are refused with one line', () => {
  expect(() => operatorConfig(flags('--api-addr=localhost:http'))).toThrow(
    /^--api-addr: invalid address "localhost:http"/,
  );
  expect(() => operatorConfig(flags('--api-tls-cert=/tls.crt'))).toThrow(
    '--api-tls-cert and --api-tls-key go together: pass both or neither',
  );
});
