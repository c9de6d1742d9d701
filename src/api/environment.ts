// Environment: a unit in which an application has one desired version.
import { z } from 'zod';
import { withRules } from './cel.js';
import { conditionsSchema, observedGeneration } from './conditions.js';
import { formatted, text } from './format.js';
import { objectNameRule } from './meta.js';
import { dnsLabel } from './names.js';
import { ageColumn, defineKind, parser, readyColumn, resourceSchema } from './resource.js';
import { boundedGoDuration, cronSchedule, MAX_DURATION_HOURS, timeZone } from './schedule.js';

export const FreezeWindowSchema = z
  .strictObject({
    schedule: formatted(
      cronSchedule,
      'When each freeze starts, a 5-field cron schedule, e.g. "0 18 * * 5" (Friday 18:00).',
    ),
    duration: boundedGoDuration(
      MAX_DURATION_HOURS,
      'How long each freeze lasts, a Go duration of at most 8760h, e.g. 62h (Friday 18:00 to Monday 08:00).',
    ),
    timeZone: formatted(timeZone, 'IANA time zone of the schedule, e.g. Europe/Berlin.').default('UTC'),
  })
  .meta({ description: 'A recurring freeze: starts at each schedule time and lasts duration.' });

export const FreezeSchema = z
  .strictObject({
    enabled: z.boolean().default(false).meta({
      description:
        'Turns the freeze on. With no windows the environment is frozen until this is false again.',
    }),
    windows: z.array(FreezeWindowSchema).max(16).optional().meta({
      description: 'When enabled, freeze only during these windows.',
    }),
  })
  .meta({
    description:
      'While frozen, no new version is delivered into the environment (set or promoted); requests wait until the freeze ends unless forced.',
  });

export const EnvironmentSpecSchema = z
  .strictObject({
    description: text(1024, 'What this environment is for, e.g. "Production, customer-facing".').optional(),
    freeze: FreezeSchema.optional(),
  })
  .meta({ description: 'An environment, e.g. dev or prod: where an application has one desired version.' });

export const EnvironmentStatusSchema = z
  .strictObject({
    observedGeneration: observedGeneration(),
    targets: z
      .array(formatted(dnsLabel, 'A Target name.'))
      .max(256)
      .optional()
      .meta({ description: 'Names of the Targets that point at this environment.' }),
    conditions: conditionsSchema('Ready, Frozen'),
  })
  .meta({ description: 'Observed state, written by the controller.' });

export const EnvironmentSchema = withRules(
  resourceSchema(
    'Environment',
    EnvironmentSpecSchema.default({}),
    EnvironmentStatusSchema,
    'Environment: a unit in which each application has one desired version (dev, staging, prod).',
  ),
  objectNameRule,
);

export type FreezeWindow = z.infer<typeof FreezeWindowSchema>;
export type Freeze = z.infer<typeof FreezeSchema>;
export type EnvironmentSpec = z.infer<typeof EnvironmentSpecSchema>;
export type EnvironmentStatus = z.infer<typeof EnvironmentStatusSchema>;
export type Environment = z.infer<typeof EnvironmentSchema>;

export const parseEnvironment = parser(EnvironmentSchema);

export const environmentKind = defineKind({
  kind: 'Environment',
  plural: 'environments',
  singular: 'environment',
  shortNames: ['denv'],
  schema: EnvironmentSchema,
  parse: parseEnvironment,
  printerColumns: [
    {
      name: 'Targets',
      type: 'string',
      jsonPath: '.status.targets',
      description: 'Targets in this environment',
    },
    readyColumn,
    ageColumn,
  ],
});
