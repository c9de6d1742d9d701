// Typed manifests for the integration tests: Depot's kinds, Argo CD
// Applications and Flux objects, without a namespace unless given (the test
// applies them into its own). Stored objects for unit tests: src/core/testing.
import type { KubernetesObject } from '@kubernetes/client-node';
import type { z } from 'zod';
import type { ApplicationSpecSchema } from '../../src/api/application.js';
import type { EnvironmentSpecSchema } from '../../src/api/environment.js';
import type { PromotionSpecSchema } from '../../src/api/promotion.js';
import type { TargetSpecSchema } from '../../src/api/target.js';
import type { KubeObject, ObjectMeta } from '../../src/kube/resource.js';

type Metadata = Omit<ObjectMeta, 'name'>;
// What a manifest may say (defaults left out), as the schemas read it.
export type ApplicationSpec = z.input<typeof ApplicationSpecSchema>;
export type EnvironmentSpec = z.input<typeof EnvironmentSpecSchema>;
export type PromotionSpec = z.input<typeof PromotionSpecSchema>;
export type TargetSpec = z.input<typeof TargetSpecSchema>;

/** What both Depot's client and applyManifests take. */
export type Manifest = KubeObject & KubernetesObject;

/** A Depot object of `kind`; `metadata` adds labels, annotations or a namespace. */
export const depotObject = (kind: string, name: string, spec: object, metadata: Metadata = {}): Manifest =>
  ({ apiVersion: 'depot.sh/v1alpha1', kind, metadata: { name, ...metadata }, spec }) as Manifest;

export const application = (name: string, spec: Partial<ApplicationSpec>, metadata?: Metadata) =>
  depotObject('Application', name, spec, metadata);

export const environment = (name: string, spec: Partial<EnvironmentSpec> = {}) =>
  depotObject('Environment', name, spec);

export const environmentSet = (name: string, environments: string[]) =>
  depotObject('EnvironmentSet', name, { environments });

export const target = (
  name: string,
  environment: string,
  spec: Omit<Partial<TargetSpec>, 'environment'> = {},
) => depotObject('Target', name, { environment, ...spec });

export const promotion = (name: string, spec: Partial<PromotionSpec> & { from: string; to: string }) =>
  depotObject('Promotion', name, spec);
