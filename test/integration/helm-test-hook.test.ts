// `helm test`: the chart's test pod (templates/tests/connection.yaml) is
// admitted at the restricted level, is not selected by the operator's
// Service or PDB, and its check really tells a working operator from a
// stopped one: its script runs here against a real operator process, with
// only the URLs pointed at that process.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { CoreV1Api, type V1Pod, type V1Service } from '@kubernetes/client-node';
import { freePort } from '../../src/local/controlplane/index.js';
import { freshNamespace, testKubeConfig } from '../controlplane/env.js';
import { renderChart } from '../kit/helm.js';
import { startOperator, type OperatorProcess } from '../kit/operator-process.js';
import { operatorKubeconfig } from '../kit/operator-rbac.js';
import { eventually } from '../kit/eventually.js';
import { generatedTls, trustApiCa } from '../kit/http-api.js';

const kc = testKubeConfig();
const testPod = (values: object = {}) => {
  const objects = renderChart(values, { includeTests: true });
  const pods = objects.filter((o) => o.kind === 'Pod') as V1Pod[];
  expect(pods).toHaveLength(1);
  return { pod: pods[0]!, objects };
};
const envOf = (pod: V1Pod) =>
  Object.fromEntries((pod.spec!.containers[0]!.env ?? []).map((e) => [e.name, e.value ?? '']));

/** The pod's command run here (node -e SCRIPT), with its env and the URLs replaced. */
function runCheck(pod: V1Pod, urls: Record<string, string>) {
  const [node, flag, script] = pod.spec!.containers[0]!.command!;
  expect([node, flag]).toEqual(['node', '-e']);
  return spawnSync(process.execPath, ['-e', script!], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, ...envOf(pod), ...urls },
    timeout: 30_000,
  });
}

test('a helm test hook, checking the HTTP API and /metrics through the Service', () => {
  const { pod, objects } = testPod();
  expect(pod.metadata!.annotations).toMatchObject({ 'helm.sh/hook': 'test' });
  expect(envOf(pod)).toEqual({
    DEPOT_API_URL: 'https://depot-operator.depot-system.svc:8082',
    NODE_EXTRA_CA_CERTS: '/etc/depot/api-ca/ca.crt',
    DEPOT_METRICS_URL: 'http://depot-operator.depot-system.svc:8080',
  });
  // The Service (and the PDB, with the same selector) must not pick the test pod.
  const service = objects.find((o) => o.kind === 'Service') as V1Service;
  const selector = Object.entries(service.spec!.selector!);
  expect(selector.every(([k, v]) => pod.metadata!.labels![k] === v)).toBe(false);
  // Without the HTTP API only /metrics is checked; plain http only with TLS disabled by name.
  expect(Object.keys(envOf(testPod({ api: { enabled: false } }).pod))).toEqual(['DEPOT_METRICS_URL']);
  expect(envOf(testPod({ api: { tls: { mode: 'disabled' } } }).pod)).toEqual({
    DEPOT_API_URL: 'http://depot-operator.depot-system.svc:8082',
    DEPOT_METRICS_URL: 'http://depot-operator.depot-system.svc:8080',
  });
});

test('the test pod is admitted at the restricted Pod Security level', async () => {
  const core = kc.makeApiClient(CoreV1Api);
  const namespace = `helm-test-${randomBytes(4).toString('hex')}`;
  await core.createNamespace({
    body: { metadata: { name: namespace, labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } } },
  });
  const { pod } = testPod();
  await core.createNamespacedPod({
    namespace,
    dryRun: 'All',
    body: { ...pod, metadata: { ...pod.metadata, namespace } },
  });
});

describe('the check against a real operator', () => {
  let operator: OperatorProcess;
  let urls: Record<string, string>;

  beforeAll(async () => {
    const ns = await freshNamespace(kc, 'helm-test');
    const [api, metrics] = [await freePort(), await freePort()];
    const tls = await generatedTls();
    operator = startOperator(await operatorKubeconfig(), ns, {
      args: ['--api-addr', `127.0.0.1:${api}`, '--metrics-addr', `127.0.0.1:${metrics}`, ...tls.args],
    });
    // The pod reads ca.crt from the mounted Secret; here, from a file of it.
    const caFile = join(mkdtempSync(join(tmpdir(), 'depot-ca-')), 'ca.crt');
    writeFileSync(caFile, await trustApiCa(kc, tls.namespace, tls.secret));
    urls = {
      DEPOT_API_URL: `https://127.0.0.1:${api}`,
      DEPOT_METRICS_URL: `http://127.0.0.1:${metrics}`,
      NODE_EXTRA_CA_CERTS: caFile,
    };
    await eventually('the operator to serve /metrics', async () =>
      fetch(`${urls.DEPOT_METRICS_URL}/metrics`).then(
        (r) => r.ok,
        () => false,
      ),
    );
  }, 120_000);
  afterAll(async () => {
    await operator?.stop();
  });

  test('passes while the operator serves, and fails naming the URL once it is gone', async () => {
    const { pod } = testPod();
    const ok = runCheck(pod, urls);
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    expect(ok.stdout.trim().split('\n')).toEqual([
      `ok: ${urls.DEPOT_API_URL}/api/v1/version`,
      `ok: ${urls.DEPOT_METRICS_URL}/metrics`,
    ]);

    // The certificate is checked: without its CA the check fails.
    const untrusted = runCheck(pod, { ...urls, NODE_EXTRA_CA_CERTS: '' });
    expect(untrusted.status).toBe(1);
    expect(untrusted.stderr).toMatch(/^error: .*(certificate|self-signed)/);

    // A URL that answers something else than Depot fails too.
    const wrong = runCheck(pod, { ...urls, DEPOT_METRICS_URL: `${urls.DEPOT_API_URL}/api/v1` });
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toMatch(/^error: https:\/\/127\.0\.0\.1:\d+\/api\/v1\/metrics answered 404/);

    await operator.stop();
    const gone = runCheck(pod, urls);
    expect(gone.status).toBe(1);
    expect(gone.stderr.trim()).toMatch(/^error: connect ECONNREFUSED 127\.0\.0\.1:\d+$/);
  }, 60_000);
});
