// Target: a place under an environment where applications run (a cluster, an
// Argo CD instance, a Flux installation) and how versions get there.
import { z } from 'zod';
import { withRules } from './cel.js';
import { conditionsSchema, observedGeneration } from './conditions.js';
import { DELIVERY_KINDS, DeliverySchema } from './delivery.js';
import { formatted, text } from './format.js';
import { objectNameRule } from './meta.js';
import { dnsLabel } from './names.js';
import { ageColumn, defineKind, parser, readyColumn, resourceSchema } from './resource.js';
import { timestamp } from './time.js';

export const TargetSpecSchema = z
  .strictObject({
    environment: formatted(dnsLabel, 'Name of the Environment this target belongs to, e.g. prod.'),
    delivery: DeliverySchema.default({ none: {} }),
  })
  .meta({
    description:
      'A place under an environment where applications run. Every application in the environment gets it; no Application changes.',
  });

export const AgentContactSchema = z
  .strictObject({
    lastContact: timestamp('When the agent last polled its versions (written at most every 30 s).'),
    version: text(64, "The agent's Depot version, e.g. 0.1.0.").optional(),
    user: text(
      512,
      'The user the agent authenticated as, e.g. system:serviceaccount:depot:agent.',
    ).optional(),
  })
  .meta({ description: 'The depot agent serving this target (delivery: agent), as the HTTP API saw it.' });

export const TargetStatusSchema = z
  .strictObject({
    observedGeneration: observedGeneration(),
    agent: AgentContactSchema.optional(),
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
export type AgentContact = z.infer<typeof AgentContactSchema>;
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
