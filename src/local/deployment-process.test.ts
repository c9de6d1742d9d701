import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadManifests } from './manifests.js';
import { localProcess, operatorContainer } from './deployment-process.js';
import { projectRoot } from './project-root.js';

function manifests(yaml: string) {
  const file = join(mkdtempSync(join(tmpdir(), 'depot-deploy-')), 'm.yaml');
  writeFileSync(file, yaml);
  return loadManifests(file);
}

const fixture = `
apiVersion: v1
kind: Namespace
metadata: { name: ops }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: depot, namespace: ops }
spec:
  replicas: 3
  selector: { matchLabels: { app: depot } }
  template:
    metadata: { labels: { app: depot } }
    spec:
      serviceAccountName: depot-sa
      containers:
        - name: sidecar
          image: busybox
        - name: operator
          image: depot:1
          command: [depot]
          args:
            - operator
            - --health-addr=:9440
            - --metrics-addr
            - ":9090"
            - --api-addr=0.0.0.0:8443
            - --kubeconfig=/etc/in-pod
            - --log-level=debug
            - --no-delivery-authorization
          env:
            - { name: POD_NAME, valueFrom: { fieldRef: { fieldPath: metadata.name } } }
            - { name: POD_NAMESPACE, valueFrom: { fieldRef: { fieldPath: metadata.namespace } } }
            - { name: TZ, value: UTC }
          ports:
            - { name: health, containerPort: 9440 }
          readinessProbe:
            httpGet: { path: /readyz, port: health }
`;

test('the operator container of a Deployment becomes a local command line and environment', () => {
  const c = operatorContainer(manifests(fixture), 'fixture');
  expect(c).toMatchObject({
    deployment: 'ops/depot',
    namespace: 'ops',
    replicas: 3,
    serviceAccountName: 'depot-sa',
    readiness: { path: '/readyz', port: 9440 },
    listen: [
      { flag: '--health-addr', port: 9440 },
      { flag: '--metrics-addr', port: 9090 },
      { flag: '--api-addr', port: 8443 },
    ],
  });
  const p = localProcess(c, {
    kubeconfig: '/tmp/sa.kubeconfig',
    podName: 'depot-local-0',
    ports: { '--health-addr': 40001, '--metrics-addr': 40002, '--api-addr': 40003 },
  });
  // Flags the Deployment sets stay; the in-pod kubeconfig and the listen addresses are replaced.
  expect(p.args).toEqual([
    'operator',
    '--health-addr=127.0.0.1:40001',
    '--metrics-addr=127.0.0.1:40002',
    '--api-addr=127.0.0.1:40003',
    '--log-level=debug',
    '--no-delivery-authorization',
    '--kubeconfig=/tmp/sa.kubeconfig',
  ]);
  expect(p.env).toEqual({ POD_NAME: 'depot-local-0', POD_NAMESPACE: 'ops', TZ: 'UTC' });
  expect(p.readinessUrl).toBe('http://127.0.0.1:40001/readyz');
});

test('args that start with a flag run under the image entrypoint `depot operator`', () => {
  const yaml = fixture.replace('command: [depot]', '').replace(/^ *- operator\n/m, '');
  expect(operatorContainer(manifests(yaml), 'fixture').argv[0]).toBe('operator');
});

test("config/manager/manager.yaml (the chart's rendering) converts with leader election on", () => {
  const c = operatorContainer(
    loadManifests(join(projectRoot(), 'config', 'manager', 'manager.yaml')),
    'config/manager/manager.yaml',
  );
  expect(c.argv[0]).toBe('operator');
  expect(c.serviceAccountName).toBe('depot-operator');
  expect(c.argv).not.toContain('--no-leader-elect');
  const p = localProcess(c, { kubeconfig: 'k', podName: 'demo-0', ports: {} });
  expect(p.env.POD_NAME).toBe('demo-0');
});

test('what a local process cannot reproduce is refused with the Deployment and variable named', () => {
  const secretEnv = fixture.replace(
    '- { name: TZ, value: UTC }',
    '- { name: TOKEN, valueFrom: { secretKeyRef: { name: s, key: k } } }',
  );
  const c = operatorContainer(manifests(secretEnv), 'fixture');
  expect(() => localProcess(c, { kubeconfig: 'k', podName: 'p', ports: {} })).toThrow(
    'Deployment ops/depot: env TOKEN takes its value from secretKeyRef, which a local process cannot read',
  );
  expect(() =>
    operatorContainer(manifests(fixture.replace('name: operator', 'name: other')), 'f.yaml'),
  ).toThrow('f.yaml: expected one Deployment with a container named "operator", found 0');
  expect(() =>
    operatorContainer(
      manifests(
        fixture.replace('command: [depot]', 'command: [depot, agent]').replace(/^ *- operator\n/m, ''),
      ),
      'f',
    ),
  ).toThrow('do not run `depot operator`');
});
