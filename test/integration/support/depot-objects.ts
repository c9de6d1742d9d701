// Depot objects as the integration tests make and read them.
import { CustomObjectsApi, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import type { Application } from '../../../src/api/application.js';

export const depotGroup = { group: 'depot.sh', version: 'v1alpha1' };

/** A Depot object of `kind` (namespace set when applied). */
export const depotObject = (kind: string, name: string, spec: object, extra: object = {}): KubernetesObject =>
  ({ apiVersion: 'depot.sh/v1alpha1', kind, metadata: { name, ...extra }, spec }) as KubernetesObject;

export function applicationReader(kc: KubeConfig) {
  const objects = kc.makeApiClient(CustomObjectsApi);
  return async (ns: string, name: string): Promise<Application> =>
    (await objects.getNamespacedCustomObject({
      ...depotGroup,
      namespace: ns,
      plural: 'applications',
      name,
    })) as Application;
}

export const envStatus = (a: Application, env: string) => a.status?.environments?.find((e) => e.name === env);
