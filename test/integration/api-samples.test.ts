// The samples in config/samples apply cleanly to a real API server with the
// generated CRDs; `kubectl get depot` lists them (the `depot` category); the
// server's defaults equal zod's; printer columns show what they promise.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { KubernetesObject } from '@kubernetes/client-node';
import { GROUP, KINDS, VERSION, kindByName, type KindDefinition } from '../../src/api/index.js';
import { loadManifests } from '../../src/local/manifests.js';
import { apiErrorMessage as errorMessage } from '../../src/kube/errors.js';
import { projectRoot } from '../../src/local/project-root.js';
import { freshNamespace } from '../controlplane/env.js';
import { cluster, depotResource } from '../kit/cluster.js';
import { getJson, TABLE } from '../kit/raw-request.js';

const k = cluster();
const { kc } = k;
const samples = loadManifests(join(projectRoot(), 'config', 'samples'));
let ns: string;

const defOf = (obj: KubernetesObject): KindDefinition => kindByName(obj.kind!)!;
const get = (def: KindDefinition, name: string) =>
  k.read<KubernetesObject & { spec: unknown }>(depotResource(def.plural), ns, name);
/** Server-side apply, strict: an unknown field is an error, not dropped. */
const strictApply = {
  type: 'apply',
  fieldManager: 'depot-test',
  force: true,
  fieldValidation: 'Strict',
} as const;

beforeAll(async () => {
  ns = await freshNamespace(kc, 'samples');
  for (const obj of samples) {
    try {
      await k.client.patch(depotResource(defOf(obj).plural), ns, obj.metadata!.name!, obj, strictApply);
    } catch (err) {
      throw new Error(`applying ${obj.kind}/${obj.metadata?.name}: ${errorMessage(err)}`);
    }
  }
});

test('the samples cover every kind and every delivery method', () => {
  const kinds = new Set(samples.map((o) => o.kind));
  expect([...kinds].sort()).toEqual(KINDS.map((k) => k.kind).sort());
  const deliveries = samples
    .filter((o) => o.kind === 'Target')
    .flatMap((o) => {
      const delivery: Record<string, object> = (o as { spec: { delivery?: Record<string, object> } }).spec
        .delivery ?? { none: {} };
      return Object.entries(delivery).flatMap(([k, v]) =>
        k === 'flux' ? Object.keys(v).map((f) => `flux.${f}`) : [k],
      );
    });
  expect(new Set(deliveries)).toEqual(new Set(['argocd', 'flux.patch', 'flux.receiver', 'agent', 'none']));
});

test('discovery lists every kind with its short names and the depot category', async () => {
  const list = await getJson<{
    resources: { name: string; kind: string; shortNames?: string[]; categories?: string[] }[];
  }>(kc, `/apis/${GROUP}/${VERSION}`);
  for (const def of KINDS) {
    const res = list.resources.find((r) => r.name === def.plural);
    expect(res).toMatchObject({ kind: def.kind, shortNames: def.shortNames, categories: ['depot'] });
    expect(list.resources.find((r) => r.name === `${def.plural}/status`)).toBeDefined();
  }
});

test('every object of the depot category is listed, and only the samples', async () => {
  const list = await getJson<{ resources: { name: string; categories?: string[] }[] }>(
    kc,
    `/apis/${GROUP}/${VERSION}`,
  );
  const listed: string[] = [];
  for (const res of list.resources.filter((r) => r.categories?.includes('depot'))) {
    const items = await getJson<{ items: KubernetesObject[] }>(
      kc,
      `/apis/${GROUP}/${VERSION}/namespaces/${ns}/${res.name}`,
    );
    listed.push(...items.items.map((o) => `${o.kind}/${o.metadata!.name}`));
  }
  expect(listed.sort()).toEqual(samples.map((o) => `${o.kind}/${o.metadata!.name}`).sort());
});

const kubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).status === 0;
(kubectl ? test : test.skip)(
  '`kubectl get depot` lists the samples through the category (kubectl found on PATH)',
  () => {
    const res = spawnSync('kubectl', ['get', 'depot', '-n', ns, '-o', 'name'], {
      encoding: 'utf8',
      env: { ...process.env, KUBECONFIG: process.env.DEPOT_TEST_KUBECONFIG },
    });
    expect(res.stderr).toBe('');
    const names = res.stdout
      .trim()
      .split('\n')
      .map((l) => l.replace(`.${GROUP}`, '').toLowerCase());
    expect(names.sort()).toEqual(samples.map((o) => `${o.kind!.toLowerCase()}/${o.metadata!.name}`).sort());
  },
);

test('the server-defaulted objects equal what zod parses from the samples (same defaults, valid round trip)', async () => {
  for (const sample of samples) {
    const def = defOf(sample);
    const local = def.parse(sample);
    if (!local.ok)
      throw new Error(`${sample.kind}/${sample.metadata?.name}: ${JSON.stringify(local.problems)}`);
    const stored = await get(def, sample.metadata!.name!);
    const roundTrip = def.parse(stored);
    expect(roundTrip).toMatchObject({ ok: true });
    // Not defaulting: Depot's admission policy stamps who requested each version
    // (authenticated-actors.test.ts checks it).
    const spec = { ...(stored.spec as Record<string, unknown>) };
    delete spec.requestedBy;
    expect({ name: sample.metadata!.name, spec }).toEqual({
      name: sample.metadata!.name,
      spec: (local.value as { spec: unknown }).spec,
    });
  }
});

test('printer columns show the promised values', async () => {
  type Table = {
    columnDefinitions: { name: string }[];
    rows: { cells: unknown[]; object: { metadata: { name: string } } }[];
  };
  const table = async (plural: string) => {
    const t = await getJson<Table>(kc, `/apis/${GROUP}/${VERSION}/namespaces/${ns}/${plural}`, TABLE);
    const names = t.columnDefinitions.map((c) => c.name);
    return { names, row: (name: string) => t.rows.find((r) => r.object.metadata.name === name)?.cells ?? [] };
  };
  const sets = await table('environmentsets');
  expect(sets.names).toEqual(['Name', 'Environments', 'Ready', 'Age']);
  expect(sets.row('default')[1]).toBe('["dev","staging","prod"]');

  const targets = await table('targets');
  expect(targets.names).toEqual(['Name', 'Environment', 'Delivery', 'Ready', 'Age']);
  expect(targets.row('prod-edge')[1]).toBe('prod');

  const promotions = await table('promotions');
  expect(promotions.names).toEqual(['Name', 'From', 'To', 'Schedule', 'Last Run', 'Ready', 'Age']);
  expect(promotions.row('staging-to-prod').slice(1, 4)).toEqual(['staging', 'prod', '0 9 * * 1-4']);

  const apps = await table('applications');
  expect(apps.names).toEqual(['Name', 'Description', 'Environments', 'Ready', 'Age']);
  expect(apps.row('dash').slice(1, 3)).toEqual([
    'Pachyderm dashboard',
    '{"dev":"2.0.1","prod":"1.9.4","staging":"2.0.0"}',
  ]);

  const envs = await table('environments');
  expect(envs.names).toEqual(['Name', 'Targets', 'Ready', 'Age']);
});

test('a status with every field the spec describes is accepted through the status subresource', async () => {
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const condition = {
    type: 'Ready',
    status: 'False',
    reason: 'RequirementNotMet',
    message: 'dash 2.0.0 requires core >=1.12.0 <2.0.0; prod runs core 1.11.3',
    lastTransitionTime: now,
    observedGeneration: 1,
  };
  const status = {
    observedGeneration: 1,
    conditions: [
      condition,
      { ...condition, type: 'Compatible' },
      { ...condition, type: 'Delivered', status: 'True', reason: 'Delivered', message: '' },
    ],
    environments: [
      {
        name: 'prod',
        requested: '2.0.0',
        desired: '1.9.4',
        desiredSince: now,
        setBy: 'promotion/staging-to-prod',
        blocked: {
          reason: 'RequirementNotMet',
          message: 'dash 2.0.0 requires core >=1.12.0 <2.0.0; prod runs core 1.11.3',
        },
        targets: ['prod-argocd'],
      },
      { name: 'dev', requested: '2.0.1', desired: '2.0.1', blocked: null, targets: ['dev-argocd'] },
    ],
    targets: [
      {
        name: 'prod-argocd',
        environment: 'prod',
        desired: '1.9.4',
        deployed: '1.9.4',
        deployedAt: now,
        delivery: {
          state: 'Delivered',
          message: 'Application pachyderm-dash updated',
          attempts: 1,
          lastAttempt: now,
        },
      },
    ],
    history: [
      {
        time: now,
        type: 'Blocked',
        environment: 'prod',
        from: '1.9.4',
        to: '2.0.0',
        actor: 'promotion/staging-to-prod',
        message: 'dash 2.0.0 requires core >=1.12.0 <2.0.0',
      },
    ],
  };
  const body = { apiVersion: `${GROUP}/${VERSION}`, kind: 'Application', metadata: { name: 'dash' }, status };
  const def = kindByName('Application')!;
  const updated = await k.client.patch<{ status: unknown }>(depotResource(def.plural), ns, 'dash', body, {
    ...strictApply,
    subresource: 'status',
  });
  expect(updated.status).toEqual(status);
  expect(def.parse(updated)).toMatchObject({ ok: true });
});
