// A Kubernetes label selector (metav1.LabelSelector).
import { z } from 'zod';
import { withRules, type Rule } from './cel.js';
import { mapOf } from './collections.js';
import { formatRule, formatted } from './format.js';
import { labelKey, labelValue } from './names.js';

type Requirement = { operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] };

const valuesMatchOperator: Rule<Requirement> = {
  cel: "(self.operator in ['In', 'NotIn']) == (has(self.values) && size(self.values) > 0)",
  check: (r) =>
    (r.operator === 'In' || r.operator === 'NotIn') === (r.values !== undefined && r.values.length > 0),
  message: 'values must be non-empty for In and NotIn and empty for Exists and DoesNotExist',
  fieldPath: '.values',
};

export const LabelSelectorRequirementSchema = withRules(
  z.strictObject({
    key: formatted(labelKey, 'Label key the requirement applies to.'),
    operator: z
      .enum(['In', 'NotIn', 'Exists', 'DoesNotExist'])
      .meta({ description: 'In, NotIn, Exists or DoesNotExist.' }),
    values: z
      .array(formatted(labelValue, 'A label value.'))
      .max(64)
      .optional()
      .meta({ description: 'Values for In and NotIn; empty for Exists and DoesNotExist.' }),
  }),
  valuesMatchOperator,
).meta({ description: 'A label requirement: key, operator and values.' });

export const LabelSelectorSchema = z
  .strictObject({
    matchLabels: mapOf(labelKey, withRules(z.string().max(63), formatRule(labelValue)), 64, 'label keys')
      .optional()
      .meta({
        description: 'Labels that must all match exactly, e.g. {product: pachyderm}.',
      }),
    matchExpressions: z.array(LabelSelectorRequirementSchema).max(16).optional().meta({
      description: 'Requirements that must all hold.',
    }),
  })
  .meta({ description: 'A label selector; an empty selector matches everything.' });

export type LabelSelector = z.infer<typeof LabelSelectorSchema>;
