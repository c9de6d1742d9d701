// What an action needs of the cluster: read, list and write Depot's objects. The live client
// implements it for the CLI (reads from the API server); the HTTP API over its informer caches
// (a fresh read after 409 Conflict). Errors other than the actions' refusals are the port's to
// explain; a port lets 409 Conflict through as it is, so the action plans again.
import type { KubeObject, ResourceType } from '../kube/resource.js';

export interface PatchRequest {
  type: 'merge' | 'json';
  fieldManager: string;
  subresource?: 'status';
}

export interface ActionPort {
  /** One object, or undefined when it does not exist; `fresh` skips any cache (after a conflict). */
  get(
    resource: ResourceType,
    namespace: string,
    name: string,
    opts?: { fresh?: boolean },
  ): Promise<KubeObject | undefined>;
  list(resource: ResourceType, namespace: string): Promise<KubeObject[]>;
  /** Server-side apply (forced) of the fields `body` lists; conditional when it carries metadata.resourceVersion. */
  apply(
    resource: ResourceType,
    namespace: string,
    name: string,
    body: object,
    fieldManager: string,
  ): Promise<void>;
  patch(
    resource: ResourceType,
    namespace: string,
    name: string,
    body: unknown,
    opts: PatchRequest,
  ): Promise<void>;
}

/** Who acts, where, through which port. */
export interface ActionContext {
  port: ActionPort;
  namespace: string;
  /** The authenticated user the write is made for (field managers and history name them). */
  user: string;
  /**
   * The writer may name `user` in the actor stamps (the operator's HTTP API,
   * with Depot's admission policies); the CLI leaves stamping to them.
   */
  stamp?: boolean;
  now: () => Date;
}
