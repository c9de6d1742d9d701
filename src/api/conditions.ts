// Status conditions as in Kubernetes API conventions (metav1.Condition, same
// bounds), a list keyed by `type`.
import { z } from 'zod';
import { listMap } from './collections.js';
import { formatted, text } from './format.js';
import { timestamp } from './time.js';

export const ConditionSchema = z
  .strictObject({
    type: formatted(
      {
        pattern:
          '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$',
        maxLength: 316,
        message: 'must be a condition type such as Ready',
      },
      'Condition type in PascalCase, e.g. Ready, Compatible, Delivered.',
    ),
    status: z.enum(['True', 'False', 'Unknown']).meta({ description: 'True, False or Unknown.' }),
    observedGeneration: z
      .number()
      .int()
      .min(0)
      .optional()
      .meta({ description: 'The .metadata.generation the condition was computed from.' }),
    lastTransitionTime: timestamp('When the status last changed.'),
    reason: formatted(
      {
        pattern: '^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$',
        maxLength: 1024,
        message: 'must be one CamelCase word such as VersionBlocked',
      },
      'Machine-readable CamelCase reason for the last transition, e.g. RequirementNotMet.',
    ),
    message: text(32768, 'Human-readable details about the last transition.'),
  })
  .meta({ description: "One aspect of the object's state, per Kubernetes API conventions." });

export type Condition = z.infer<typeof ConditionSchema>;
export type ConditionStatus = Condition['status'];

/** `status.conditions`: one entry per type. */
export function conditionsSchema(types: string) {
  return listMap(ConditionSchema, ['type'], 32)
    .optional()
    .meta({ description: `Current state, one entry per condition type (${types}).` });
}

/** `status.observedGeneration`: the generation the status was computed from. */
export function observedGeneration() {
  return z.number().int().min(0).optional().meta({ description: 'The generation last reconciled.' });
}
