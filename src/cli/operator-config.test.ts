// operatorConfig: what each flag of `depot operator` means to the operator,
// from flags parsed by the real command line (defaults included).
import { Command } from 'commander';
import { registerOperator } from './commands/operator.js';
import { certificateSecretOptions, operatorConfig, controllerSettings } from './operator-config.js';
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
    ui: true,
    verifiedActors: false,
    tls: undefined,
    tokenAudiences: ['depot'],
    cacheBytes: 128 * 1024 * 1024,
    agentContactIntervalMs: 30_000,
    trustedProxies: [],
    reviewBudget: { qps: 100, burst: 200 },
    reviewCache: { maxBytes: 16 * 1024 * 1024, ttlMs: 60_000, refreshAfterMs: 10_000 },
    reviewLimits: {
      perAddress: { qps: 5, burst: 20 },
      perToken: { qps: 20, burst: 80 },
      total: { qps: 50, burst: 100 },
      knownForMs: 15 * 60_000,
      maxTracked: 10_000,
    },
  });
  expect(config.controllers).toEqual({
    historyLimit: DEFAULT_HISTORY_LIMIT,
    statusByteBudget: 512 * 1024,
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
      watches: { total: 200, perNamespace: 20 },
    },
    agentSilenceMs: expect.any(Number),
    gateUrlAllow: [],
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
      '--status-byte-budget=256Ki',
      '--api-cache-bytes=64Mi',
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
      '--max-delivery-watches=7',
      '--max-delivery-watches-per-namespace=2',
      '--api-addr=127.0.0.1:9443',
      '--api-anonymous-reads',
      '--no-ui',
      '--api-tls-cert=/tls.crt',
      '--api-tls-key=/tls.key',
      '--token-audiences=depot, https://kubernetes.default.svc',
      '--agent-silence=40s',
      '--gate-url-allow=http://checks/depot/,https://smoke/',
      '--api-trusted-proxies=10.0.0.0/8,fd00::/8',
      '--api-review-qps=30',
      '--api-review-burst=60',
      '--api-new-reviews=20',
      '--api-new-reviews-per-address=2',
      '--api-new-reviews-per-token=0.5',
      '--api-review-cache-bytes=1048576',
      '--api-review-ttl=2m',
      '--api-review-refresh=20s',
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
      statusByteBudget: 256 * 1024,
      verifiedActors: true,
      auditLog: '/audit.jsonl',
      deliverySettings: {
        integrations: ['flux'],
        checkAuthorization: false,
        receiverUrlAllow: ['http://nc/hook/', 'https://other/'],
        httpTimeoutMs: 4_000,
      },
      delivery: {
        retry: { baseMs: 3_000, maxMs: 120_000, jitter: 0.1 },
        concurrency: 3,
        inlineWaitMs: 0,
        watches: { total: 7, perNamespace: 2 },
      },
      agentSilenceMs: 40_000,
      gateUrlAllow: ['http://checks/depot/', 'https://smoke/'],
    },
    api: {
      address: '127.0.0.1:9443',
      anonymousReads: true,
      ui: false,
      verifiedActors: true,
      tls: { certFile: '/tls.crt', keyFile: '/tls.key' },
      tokenAudiences: ['depot', 'https://kubernetes.default.svc'],
      cacheBytes: 64 * 1024 * 1024,
      // Four contacts per allowed silence at least.
      agentContactIntervalMs: 10_000,
      trustedProxies: ['10.0.0.0/8', 'fd00::/8'],
      reviewBudget: { qps: 30, burst: 60 },
      reviewCache: { maxBytes: 1_048_576, ttlMs: 120_000, refreshAfterMs: 20_000 },
      reviewLimits: {
        perAddress: { qps: 2, burst: 8 },
        perToken: { qps: 0.5, burst: 2 },
        total: { qps: 20, burst: 40 },
        knownForMs: 15 * 60_000,
        maxTracked: 10_000,
      },
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
  expect(() => flags('--status-byte-budget=2Mi')).toThrow(
    '--status-byte-budget 2Mi is outside 16Ki..1Mi: etcd refuses objects over 1.5 MiB by default, and the spec and metadata need room too',
  );
  expect(() => flags('--api-cache-bytes=lots')).toThrow(
    '--api-cache-bytes must be a positive byte count such as 524288, 512Ki or 128Mi, got "lots"',
  );
  expect(() => operatorConfig(flags('--api-tls-cert=/tls.crt'))).toThrow(
    '--api-tls-cert and --api-tls-key go together: pass both or neither',
  );
  expect(() => flags('--token-audiences= , ')).toThrow(
    '--token-audiences: name at least one audience (the default is depot)',
  );
  expect(() => operatorConfig(flags('--api-trusted-proxies=10.0.0.0/40'))).toThrow(
    '--api-trusted-proxies: "10.0.0.0/40" is not an IP address or CIDR such as 10.0.0.0/8 or fd00::/8',
  );
  expect(() => operatorConfig(flags('--api-review-refresh=1m', '--api-review-ttl=1m'))).toThrow(
    '--api-review-refresh (60000 ms) must be shorter than --api-review-ttl (60000 ms)',
  );
});

test('--api-tls-secret: the operator issues the certificate, with the Service names and hosts', () => {
  const api = operatorConfig(
    flags(
      '--api-tls-secret=depot-api-tls',
      '--api-tls-service=depot',
      '--api-tls-hosts=depot.example.com,10.0.0.5',
      '--api-tls-lifetime=720h',
    ),
  ).api!;
  expect(api.tls).toBeUndefined();
  expect(api.tlsSecret).toEqual({
    name: 'depot-api-tls',
    service: 'depot',
    hosts: ['depot.example.com', '10.0.0.5'],
    lifetimeMs: 720 * 3_600_000,
  });
  expect(certificateSecretOptions(api.tlsSecret!, 'ops')).toEqual({
    name: 'depot-api-tls',
    namespace: 'ops',
    names: {
      dns: ['depot', 'depot.ops', 'depot.ops.svc', 'depot.ops.svc.cluster.local', 'depot.example.com'],
      ips: ['10.0.0.5'],
    },
    lifetimeMs: 720 * 3_600_000,
  });
  const elsewhere = operatorConfig(
    flags('--api-tls-secret=s', '--api-tls-secret-namespace=sys', '--api-tls-hosts=localhost'),
  ).api!.tlsSecret!;
  expect(certificateSecretOptions(elsewhere, 'ops').namespace).toBe('sys');
  expect(operatorConfig(flags()).api!.tlsSecret).toBeUndefined();
});

test('--api-tls-secret flags that can only be wrong are refused with one line', () => {
  expect(() => operatorConfig(flags('--api-tls-service=depot'))).toThrow(
    '--api-tls-service: only with --api-tls-secret',
  );
  expect(() =>
    operatorConfig(flags('--api-tls-secret=s', '--api-tls-cert=/c', '--api-tls-key=/k', '--api-tls-hosts=h')),
  ).toThrow('--api-tls-secret and --api-tls-cert/--api-tls-key are two sources of a certificate: pass one');
  expect(() => operatorConfig(flags('--api-tls-secret=s'))).toThrow(
    '--api-tls-secret: the certificate needs a name: pass --api-tls-service, --api-tls-hosts or both',
  );
  expect(() =>
    operatorConfig(flags('--api-tls-secret=s', '--api-tls-hosts=h', '--api-tls-lifetime=5s')),
  ).toThrow('--api-tls-lifetime: at least 10s');
});

test('--audit-sink and its timeout and retry delays reach the controllers; none by default', () => {
  expect(controllerSettings(flags())).not.toHaveProperty('auditSink');
  expect(
    controllerSettings(
      flags(
        '--audit-sink=https://events.example.com/depot',
        '--audit-sink-timeout=3s',
        '--audit-sink-retry-base-delay=500ms',
        '--audit-sink-retry-max-delay=1m',
        '--audit-sink-concurrency=16',
      ),
    ).auditSink,
  ).toEqual({
    url: 'https://events.example.com/depot',
    timeoutMs: 3_000,
    retry: { baseMs: 500, maxMs: 60_000 },
    concurrency: 16,
  });
  expect(controllerSettings(flags('--audit-sink=http://sink/')).auditSink).toMatchObject({
    timeoutMs: 10_000,
    retry: { baseMs: 1_000, maxMs: 300_000 },
    concurrency: 4,
  });
});

test('an --audit-sink that is not an http(s) URL, or carries a password, is refused with one line', () => {
  expect(() => flags('--audit-sink=ftp://sink/')).toThrow(
    '--audit-sink: ftp://sink/ is not an http:// or https:// URL',
  );
  expect(() => flags('--audit-sink=https://u:p@sink/')).toThrow(
    '--audit-sink: the URL may not carry a user or password',
  );
});

test('--shard: the shard in the manager, its status writes under a field manager naming it', () => {
  const config = operatorConfig(flags('--shard=team-b'));
  expect(config.manager).toMatchObject({ shard: 'team-b', fieldManager: 'depot-operator-shard-team-b' });
  expect(operatorConfig(flags()).manager).not.toHaveProperty('shard');
});

test('--shard is refused without leader election, or when not a DNS label', () => {
  expect(() => operatorConfig(flags('--shard=a', '--no-leader-elect'))).toThrow(
    '--shard needs leader election (drop --no-leader-elect)',
  );
  expect(() => operatorConfig(flags('--shard=Team_B'))).toThrow(
    '--shard: "Team_B" is not a DNS label of at most 40 characters',
  );
});

test('--shard-api-url: with --shard, an http(s) URL naming {shard}; --shard-api-ca=secret needs the TLS Secret', () => {
  const url = 'https://depot-{shard}.ops.svc:8082';
  expect(operatorConfig(flags('--shard=a', `--shard-api-url=${url}`)).api?.shardApi).toEqual({
    urlTemplate: url,
  });
  expect(() => operatorConfig(flags(`--shard-api-url=${url}`))).toThrow('--shard-api-url needs --shard');
  expect(() => operatorConfig(flags('--shard=a', '--shard-api-url=https://depot.ops.svc'))).toThrow(
    '--shard-api-url: an http(s) URL with {shard}',
  );
  expect(() => operatorConfig(flags('--shard=a', `--shard-api-url=${url}`, '--shard-api-ca=secret'))).toThrow(
    '--shard-api-ca=secret needs --api-tls-secret',
  );
  expect(() => operatorConfig(flags('--shard-api-ca=/ca.pem'))).toThrow(
    '--shard-api-ca needs --shard-api-url',
  );
});
