// Waits until a Deployment has rolled out (what `kubectl rollout status`
// checks), for test/e2e/kind/run.sh where kubectl may be missing. On timeout
// it names what is not ready, with the pods' waiting reasons, and exits 1.
//   npx tsx test/e2e/kind/wait-rollout.ts --kubeconfig F --deployment NS/NAME [--timeout SECONDS]
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiException, AppsV1Api, CoreV1Api, KubeConfig, type V1Deployment } from '@kubernetes/client-node';

const { values } = parseArgs({
  options: {
    kubeconfig: { type: 'string' },
    deployment: { type: 'string' },
    timeout: { type: 'string', default: '300' },
  },
});
const [namespace, name] = (values.deployment ?? '').split('/');
if (!values.kubeconfig || !namespace || !name) {
  process.stderr.write(
    'usage: wait-rollout.ts --kubeconfig FILE --deployment NAMESPACE/NAME [--timeout SECONDS]\n',
  );
  process.exit(2);
}

/** Why the rollout is not done yet, or undefined when it is. */
function pending(d: V1Deployment): string | undefined {
  const want = d.spec?.replicas ?? 1;
  const s = d.status ?? {};
  if ((s.observedGeneration ?? 0) < (d.metadata?.generation ?? 0))
    return 'the controller has not seen the latest spec';
  if ((s.updatedReplicas ?? 0) < want) return `${s.updatedReplicas ?? 0} of ${want} replicas updated`;
  if ((s.replicas ?? 0) > (s.updatedReplicas ?? 0))
    return `${(s.replicas ?? 0) - (s.updatedReplicas ?? 0)} old replicas left`;
  if ((s.availableReplicas ?? 0) < want) return `${s.availableReplicas ?? 0} of ${want} replicas available`;
  return undefined;
}

const kc = new KubeConfig();
kc.loadFromFile(values.kubeconfig);
const apps = kc.makeApiClient(AppsV1Api);
const core = kc.makeApiClient(CoreV1Api);
const deadline = Date.now() + Number(values.timeout) * 1000;

let last = '';
for (;;) {
  let d: V1Deployment | undefined;
  let why: string | undefined;
  try {
    d = await apps.readNamespacedDeployment({ name, namespace });
    why = pending(d);
  } catch (err) {
    const cause = err instanceof Error && err.cause instanceof Error ? ` (${err.cause.message})` : '';
    why =
      err instanceof ApiException && err.code === 404
        ? 'the Deployment does not exist yet'
        : `cannot read it: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}${cause}`;
  }
  if (!why) break;
  if (why !== last) process.stderr.write(`   ${namespace}/${name}: ${why}\n`);
  last = why;
  if (Date.now() > deadline) {
    const selector = Object.entries(d?.spec?.selector.matchLabels ?? {})
      .map(([k, v]) => `${k}=${v}`)
      .join(',');
    const pods = selector
      ? ((await core.listNamespacedPod({ namespace, labelSelector: selector }).catch(() => undefined))
          ?.items ?? [])
      : [];
    for (const pod of pods) {
      const states = (pod.status?.containerStatuses ?? []).map(
        (c) =>
          `${c.name}: ${c.state?.waiting?.reason ?? (c.ready ? 'ready' : 'not ready')}${c.state?.waiting?.message ? ` (${c.state.waiting.message})` : ''}`,
      );
      process.stderr.write(
        `   pod ${pod.metadata?.name}: ${pod.status?.phase}; ${states.join(', ') || 'no containers yet'}\n`,
      );
    }
    process.stderr.write(`error: ${namespace}/${name} did not roll out within ${values.timeout}s: ${why}\n`);
    process.exit(1);
  }
  await sleep(2000);
}
process.stderr.write(`   ${namespace}/${name}: rolled out\n`);
