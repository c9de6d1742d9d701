// The one cluster client of the tests: Depot's own KubeClient
// (src/kube/client.ts) on the shared control plane, with the reads and the
// apply the tests repeat. Another identity: cluster(itsKubeConfig).
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import type { Application } from '../../src/api/application.js';
import { Applications, DEPOT_RESOURCES } from '../../src/api/resources.js';
import type { KubeObject, ResourceType } from '../../src/kube/resource.js';
import { applyManifests } from '../../src/local/manifests.js';
import { testKubeConfig } from '../controlplane/env.js';
import { eventually } from './eventually.js';
import { testClient, type TestClient } from './test-client.js';

export interface Cluster extends TestClient {
  kc: KubeConfig;
  /** Server-side apply of manifests into `ns` (field manager test-setup unless named). */
  apply(ns: string, objects: KubernetesObject[], fieldManager?: string): Promise<void>;
  /** The object as stored; an error naming it when it does not exist. */
  read<T = KubeObject>(resource: ResourceType, ns: string, name: string): Promise<T>;
  app(ns: string, name: string): Promise<Application>;
  apps(ns: string): Promise<Application[]>;
  /** The Application once `ok` holds for it, polled by `eventually` (`what` names the wait). */
  appWhen(
    ns: string,
    name: string,
    what: string,
    ok: (a: Application) => unknown,
    timeoutMs?: number,
  ): Promise<Application>;
}

export function cluster(kc: KubeConfig = testKubeConfig()): Cluster {
  const { client, close } = testClient(kc);
  const read = async <T>(resource: ResourceType, ns: string, name: string): Promise<T> => {
    const obj = await client.get(resource, ns, name);
    if (!obj) throw new Error(`${resource.kind} ${ns}/${name} does not exist`);
    return obj as T;
  };
  return {
    kc,
    client,
    close,
    apply: (ns, objects, fieldManager = 'test-setup') =>
      applyManifests(kc, objects, { fieldManager, namespace: ns }),
    read,
    app: (ns, name) => read<Application>(Applications, ns, name),
    appWhen: (ns, name, what, ok, timeoutMs) =>
      eventually(
        what,
        async () => {
          const a = await read<Application>(Applications, ns, name);
          return ok(a) ? a : undefined;
        },
        timeoutMs,
      ),
    apps: async (ns) =>
      (await client.list(Applications, { namespace: ns })).items as unknown as Application[],
  };
}

/** The status of one environment of an Application. */
export const envStatus = (a: Application, env: string) => a.status?.environments?.find((e) => e.name === env);

/** The status of one target of an Application. */
export const targetStatus = (a: Application, target: string) =>
  a.status?.targets?.find((t) => t.name === target);

/** One of Depot's resources by plural (`applications`, `promotions`, …). */
export function depotResource(plural: string): ResourceType {
  const r = DEPOT_RESOURCES.find((d) => d.plural === plural);
  if (!r) throw new Error(`${plural} is not one of Depot's resources`);
  return r;
}
