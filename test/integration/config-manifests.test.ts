// config/ is the chart rendered with default values (scripts/generate-config.ts):
// the same objects, file by file; its Kustomization files name exactly the
// manifests beside them; and config/default, resolved as kustomize would,
// applies server-side to the real control plane.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { CoreV1Api, type KubernetesObject } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { applyManifests, loadManifests } from '../../src/local/manifests.js';
import { projectRoot } from '../../src/local/project-root.js';
import { testKubeConfig } from '../controlplane/env.js';
import { configFiles, configObjects, CONFIG_NAMESPACE, CONFIG_RELEASE } from '../kit/chart-config.js';
import { chartDir, parseRendered, template } from '../kit/helm.js';

const configDir = join(projectRoot(), 'config');
const regenerate = 'run `npm run gen:config` after changing the chart';

function renderedDefaults() {
  const r = template({}, { namespace: CONFIG_NAMESPACE, releaseName: CONFIG_RELEASE });
  if (r.status !== 0) throw new Error(r.stderr);
  return parseRendered(r.stdout);
}

/** Every file under a directory, relative to it. */
function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((e) => {
    const path = join(dir, e);
    return statSync(path).isDirectory() ? walk(path).map((p) => join(e, p)) : [e];
  });
}

interface Kustomization {
  namespace?: string;
  resources: string[];
}

function readKustomization(dir: string): Kustomization {
  return parse(readFileSync(join(dir, 'Kustomization'), 'utf8')) as Kustomization;
}

/** The manifest files a kustomization builds from, following directory resources (bases). */
function kustomizationFiles(dir: string): string[] {
  return readKustomization(dir).resources.flatMap((r) => {
    const path = resolve(dir, r);
    if (!existsSync(path))
      throw new Error(`${relative(projectRoot(), dir)}/Kustomization: ${r} does not exist`);
    return statSync(path).isDirectory() ? kustomizationFiles(path) : [path];
  });
}

describe('config/ and the chart do not drift', () => {
  const rendered = renderedDefaults();
  const expected = configObjects(rendered);

  test.each([...expected.keys()])(`config/%s holds the chart's objects (${regenerate})`, (file) => {
    expect(loadManifests(join(configDir, file))).toEqual(expected.get(file)!.map((d) => d.object));
  });

  test(`config/ has no other manifest than the generated ones, samples aside (${regenerate})`, () => {
    const present = walk(configDir)
      .filter((f) => !f.startsWith('samples/'))
      .sort();
    expect(present).toEqual([...configFiles(rendered).keys()].sort());
  });

  test.each(['crd', 'rbac', 'admission', 'manager', 'default'])(
    `config/%s/Kustomization is generated (${regenerate})`,
    (dir) => {
      const file = `${dir}/Kustomization`;
      expect(readFileSync(join(configDir, file), 'utf8')).toBe(configFiles(rendered).get(file));
    },
  );

  test('only helm.sh/chart and app.kubernetes.io/managed-by differ from the chart (and the added Namespace)', () => {
    const fromConfig = loadManifests(
      join(configDir, 'rbac'),
      join(configDir, 'admission'),
      join(configDir, 'manager'),
    );
    expect(fromConfig.map((o) => o.kind)).toContain('Namespace');
    const chartObjects = rendered.map((d) => d.object);
    for (const obj of fromConfig.filter((o) => o.kind !== 'Namespace')) {
      const same = chartObjects.find((c) => c.kind === obj.kind && c.metadata!.name === obj.metadata!.name);
      expect(same).toBeDefined();
      expect(same!.metadata!.labels).toEqual({
        ...obj.metadata!.labels,
        'helm.sh/chart': expect.stringMatching(/^depot-/),
        'app.kubernetes.io/managed-by': 'Helm',
      });
    }
    expect(fromConfig).toHaveLength(chartObjects.length + 1);
  });

  test('the draft names other tests build on: depot-operator in depot-system', () => {
    const names = loadManifests(join(configDir, 'rbac'), join(configDir, 'manager', 'manager.yaml')).map(
      (o) => `${o.kind}/${o.metadata!.namespace ?? ''}/${o.metadata!.name}`,
    );
    expect(names.sort()).toEqual(
      [
        'ClusterRole//depot-operator',
        'ClusterRole//depot-operator-editor',
        'ClusterRole//depot-operator-viewer',
        'ClusterRoleBinding//depot-operator',
        'Deployment/depot-system/depot-operator',
        'Namespace//depot-system',
        'Role/depot-system/depot-operator-api-tls',
        'Role/depot-system/depot-operator-leader-election',
        'RoleBinding/depot-system/depot-operator-api-tls',
        'RoleBinding/depot-system/depot-operator-leader-election',
        'ServiceAccount/depot-system/depot-operator',
      ].sort(),
    );
  });
});

describe('the Kustomization files', () => {
  test.each(['rbac', 'admission', 'manager'])(
    'config/%s/Kustomization names every manifest beside it, and nothing else',
    (dir) => {
      const listed = readKustomization(join(configDir, dir)).resources.sort();
      const present = readdirSync(join(configDir, dir))
        .filter((f) => /\.ya?ml$/.test(f))
        .sort();
      expect(listed).toEqual(present);
    },
  );

  test('crds/Kustomization names every CRD file, and config/crd builds on it', () => {
    const crds = join(projectRoot(), 'crds');
    expect(readKustomization(crds).resources.sort()).toEqual(
      readdirSync(crds)
        .filter((f) => f.endsWith('.yaml'))
        .sort(),
    );
    expect(kustomizationFiles(join(configDir, 'crd')).map((f) => relative(crds, f))).toEqual(
      readKustomization(crds).resources,
    );
  });

  test('config/default builds every CRD and every config/ manifest (samples aside), in depot-system', () => {
    const files = kustomizationFiles(join(configDir, 'default')).map((f) => relative(projectRoot(), f));
    const expected = [
      ...readKustomization(join(projectRoot(), 'crds')).resources.map((f) => `crds/${f}`),
      ...['rbac', 'admission', 'manager'].flatMap((d) =>
        readdirSync(join(configDir, d))
          .filter((f) => f.endsWith('.yaml'))
          .map((f) => `config/${d}/${f}`),
      ),
    ];
    expect(files.sort()).toEqual(expected.sort());
    expect(readKustomization(join(configDir, 'default')).namespace).toBe(CONFIG_NAMESPACE);
  });

  test('a resource that does not exist would be reported (the check can fail)', () => {
    expect(() => kustomizationFiles(join(configDir, 'default', 'no-such-dir'))).toThrow();
  });
});

test("the chart's version and appVersion are package.json's", () => {
  const pkg = JSON.parse(readFileSync(join(projectRoot(), 'package.json'), 'utf8')) as { version: string };
  const chart = parse(readFileSync(join(chartDir(), 'Chart.yaml'), 'utf8')) as {
    version: string;
    appVersion: string;
  };
  expect({ version: chart.version, appVersion: chart.appVersion }).toEqual({
    version: pkg.version,
    appVersion: pkg.version,
  });
});

test('config/default (CRDs, Namespace first, RBAC, Deployment, Service, PDB) applies server-side to the real control plane', async () => {
  const kc = testKubeConfig();
  const objects = loadManifests(...kustomizationFiles(join(configDir, 'default')));
  // The namespace must exist before anything in it.
  const ordered: KubernetesObject[] = [
    ...objects.filter((o) => o.kind === 'Namespace'),
    ...objects.filter((o) => o.kind !== 'Namespace'),
  ];
  expect(ordered.map((o) => o.kind)).toEqual(
    expect.arrayContaining(['CustomResourceDefinition', 'Deployment']),
  );
  await applyManifests(kc, ordered, { fieldManager: 'depot-config-test' });
  const ns = await kc.makeApiClient(CoreV1Api).readNamespace({ name: CONFIG_NAMESPACE });
  expect(ns.metadata!.labels).toMatchObject({ 'pod-security.kubernetes.io/enforce': 'restricted' });
  const sa = await kc
    .makeApiClient(CoreV1Api)
    .readNamespacedServiceAccount({ name: 'depot-operator', namespace: CONFIG_NAMESPACE });
  expect(sa.metadata!.name).toBe('depot-operator');
});
