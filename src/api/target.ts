// Target: a place under an environment where applications run (a cluster, an
// Argo CD instance, a Flux installation) and how versions get there.
import { z } from 'zod';
import { withRules } from './cel.js';
import { conditionsSchema, observedGeneration } from './conditions.js';
import { DELIVERY_KINDS, DeliverySchema } from './delivery.js';
import { formatted } from './format.js';
import { objectNameRule } from './meta.js';
import { dnsLabel } from './names.js';
import { ageColumn, defineKind, parser, readyColumn, resourceSchema } from './resource.js';

export const TargetSpecSchema = z
  .strictObject({
    environment: formatted(dnsLabel, 'Name of the Environment this target belongs to, e.g. prod.'),
    delivery: DeliverySchema.default({ none: {} }),
  })
  .meta({
    description:
      'A place under an environment where applications run. Every application in the environment gets it; no Application changes.',
  });

export const TargetStatusSchema = z
  .strictObject({
    observedGeneration: observedGeneration(),
    deliveryKind: z
      .enum(DELIVERY_KINDS)
      .optional()
      .meta({ description: 'The delivery method in use (shown by kubectl get).' }),
    conditions: conditionsSchema('Ready'),
  })
  .meta({ description: 'Observed state, written by the controller.' });

export const TargetSchema = withRules(
  resourceSchema(
    'Target',
    TargetSpecSchema,
    TargetStatusSchema,
    'Target: a place under an environment where applications run, and how versions are delivered there.',
  ),
  objectNameRule,
);

export type TargetSpec = z.infer<typeof TargetSpecSchema>;
export type TargetStatus = z.infer<typeof TargetStatusSchema>;
export type Target = z.infer<typeof TargetSchema>;

export const parseTarget = parser(TargetSchema);

export const targetKind = defineKind({
  kind: 'Target',
  plural: 'targets',
  singular: 'target',
  shortNames: ['dtarget'],
  schema: TargetSchema,
  parse: parseTarget,
  printerColumns: [
    {
      name: 'Environment',
      type: 'string',
      jsonPath: '.spec.environment',
      description: 'Environment of the target',
    },
    {
      name: 'Delivery',
      type: 'string',
      jsonPath: '.status.deliveryKind',
      description: 'argocd, flux, agent or none',
    },
    readyColumn,
    ageColumn,
  ],
});
