// EnvironmentSet: an ordered list of environments (the default promotion path)
// that applications include as a whole.
import { z } from 'zod';
import { withRules } from './cel.js';
import { uniqueList } from './collections.js';
import { conditionsSchema, observedGeneration } from './conditions.js';
import { formatted } from './format.js';
import { objectNameRule } from './meta.js';
import { dnsLabel } from './names.js';
import { ageColumn, defineKind, parser, readyColumn, resourceSchema } from './resource.js';

export const EnvironmentSetSpecSchema = z
  .strictObject({
    environments: uniqueList(formatted(dnsLabel, 'An Environment name.'), 1, 32, 'environment').meta({
      description:
        'Environment names in promotion order, e.g. [dev, staging, prod]. Applications that use the set get every environment in it.',
    }),
  })
  .meta({ description: 'A group of environments in promotion order.' });

export const EnvironmentSetStatusSchema = z
  .strictObject({
    observedGeneration: observedGeneration(),
    conditions: conditionsSchema('Ready'),
  })
  .meta({ description: 'Observed state, written by the controller.' });

export const EnvironmentSetSchema = withRules(
  resourceSchema(
    'EnvironmentSet',
    EnvironmentSetSpecSchema,
    EnvironmentSetStatusSchema,
    'EnvironmentSet: an ordered group of environments that applications include as a whole.',
  ),
  objectNameRule,
);

export type EnvironmentSetSpec = z.infer<typeof EnvironmentSetSpecSchema>;
export type EnvironmentSetStatus = z.infer<typeof EnvironmentSetStatusSchema>;
export type EnvironmentSet = z.infer<typeof EnvironmentSetSchema>;

export const parseEnvironmentSet = parser(EnvironmentSetSchema);

export const environmentSetKind = defineKind({
  kind: 'EnvironmentSet',
  plural: 'environmentsets',
  singular: 'environmentset',
  shortNames: ['denvset'],
  schema: EnvironmentSetSchema,
  parse: parseEnvironmentSet,
  printerColumns: [
    {
      name: 'Environments',
      type: 'string',
      jsonPath: '.spec.environments',
      description: 'Environments in promotion order',
    },
    readyColumn,
    ageColumn,
  ],
});
