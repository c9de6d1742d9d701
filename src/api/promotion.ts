// Promotion: moves versions from one environment to the next after a soak
// time, optionally only at scheduled times.
import { z } from 'zod';
import { withRules, type Rule } from './cel.js';
import { listMap, listSet } from './collections.js';
import { conditionsSchema, observedGeneration } from './conditions.js';
import { formatted, text } from './format.js';
import { objectNameRule } from './meta.js';
import { dnsLabel } from './names.js';
import { ageColumn, defineKind, parser, readyColumn, resourceSchema } from './resource.js';
import { boundedGoDuration, cronSchedule, MAX_DURATION_HOURS, timeZone } from './schedule.js';
import { LabelSelectorSchema } from './selector.js';
import { timestamp } from './time.js';

export const SEMVER_STEPS = ['patch', 'minor', 'major'] as const;

const fromIsNotTo: Rule<{ from: string; to: string }> = {
  cel: 'self.from != self.to',
  check: (s) => s.from !== s.to,
  message: 'to must differ from from (a promotion moves versions between two environments)',
  fieldPath: '.to',
};

const timeZoneNeedsSchedule: Rule<{ schedule?: string; timeZone?: string }> = {
  cel: '!has(self.timeZone) || has(self.schedule)',
  check: (s) => s.timeZone === undefined || s.schedule !== undefined,
  message: 'timeZone applies to schedule: set schedule too, or remove timeZone',
  fieldPath: '.timeZone',
};

export const PromotionSpecSchema = withRules(
  z.strictObject({
    from: formatted(dnsLabel, 'The Environment versions are promoted from, e.g. staging.'),
    to: formatted(dnsLabel, 'The Environment versions are promoted to, e.g. prod.'),
    selector: LabelSelectorSchema.optional().meta({
      description:
        'Which Applications to promote, by label (default: every Application that has both environments).',
    }),
    after: boundedGoDuration(
      MAX_DURATION_HOURS,
      'Soak time: a version is eligible once it has been the desired version of from this long, e.g. 10m, 24h, 1h30m, at most 8760h (default: at once).',
    ).optional(),
    schedule: formatted(
      cronSchedule,
      'Promote eligible versions only at these times, a 5-field cron schedule, e.g. "0 9 * * 1-4" (default: as soon as eligible).',
    ).optional(),
    timeZone: formatted(
      timeZone,
      'IANA time zone of the schedule, e.g. Europe/Berlin (default UTC).',
    ).optional(),
    requireDeployed: z.boolean().default(true).meta({
      description:
        'Require the version to be reported deployed on every target of from; with no target in from nothing is promoted (default true).',
    }),
    allow: listSet(z.enum(SEMVER_STEPS), 3).optional().meta({
      description: 'Semver steps promoted automatically, any of patch, minor, major (default: all).',
    }),
    suspend: z
      .boolean()
      .default(false)
      .meta({ description: 'Stop promoting (manual promotion still works).' }),
  }),
  fromIsNotTo,
  timeZoneNeedsSchedule,
).meta({ description: 'Moves versions from one environment to the next.' });

/** Most applications listed in status.results (the rest are counted in status.summary). */
export const MAX_PROMOTION_RESULTS = 256;
/** Longest reason of one result. */
export const MAX_RESULT_REASON = 4096;

export const PromotionResultSchema = z
  .strictObject({
    application: formatted(dnsLabel, 'Application name.'),
    version: text(128, 'The version considered.').optional(),
    outcome: z
      .enum(['Promoted', 'Waiting', 'Blocked', 'UpToDate'])
      .meta({ description: 'Promoted, Waiting, Blocked or UpToDate.' }),
    reason: text(MAX_RESULT_REASON, 'Why, e.g. "soaking until 2026-01-02T15:04:05Z".').optional(),
  })
  .meta({ description: 'What the last run did for one application.' });

const count = (description: string) => z.number().int().min(0).meta({ description });

export const PromotionSummarySchema = z
  .strictObject({
    promoted: count('Applications promoted by the last evaluation.'),
    waiting: count('Applications waiting (soak time, deployment, schedule).'),
    blocked: count('Applications blocked (step not allowed, downgrade).'),
    upToDate: count('Applications whose to already requests the version of from.'),
    total: count('Applications the promotion covers.'),
  })
  .meta({ description: 'Counts by outcome of every application covered, listed in results or not.' });

export const PromotionStatusSchema = z
  .strictObject({
    observedGeneration: observedGeneration(),
    lastRunTime: timestamp('When the promotion last ran.').optional(),
    nextRunTime: timestamp('When it runs next (with a schedule).').optional(),
    lastResumeTime: timestamp(
      'When the promotion was last seen active again after being suspended or not ready (Ready=False): scheduled times before it are skipped, not made up.',
    ).optional(),
    results: listMap(PromotionResultSchema, ['application'], MAX_PROMOTION_RESULTS).optional().meta({
      description:
        'Per application: the outcome of the last run; those not UpToDate first, at most 256 (see summary for all).',
    }),
    summary: PromotionSummarySchema.optional(),
    conditions: conditionsSchema('Ready'),
  })
  .meta({ description: 'Observed state, written by the controller.' });

export const PromotionSchema = withRules(
  resourceSchema(
    'Promotion',
    PromotionSpecSchema,
    PromotionStatusSchema,
    'Promotion: moves versions from one environment to the next after a soak time, optionally on a schedule.',
  ),
  objectNameRule,
);

export type SemverStep = (typeof SEMVER_STEPS)[number];
export type PromotionSpec = z.infer<typeof PromotionSpecSchema>;
export type PromotionResult = z.infer<typeof PromotionResultSchema>;
export type PromotionOutcome = PromotionResult['outcome'];
export type PromotionStatus = z.infer<typeof PromotionStatusSchema>;
export type PromotionSummary = z.infer<typeof PromotionSummarySchema>;
export type Promotion = z.infer<typeof PromotionSchema>;

export const parsePromotion = parser(PromotionSchema);

export const promotionKind = defineKind({
  kind: 'Promotion',
  plural: 'promotions',
  singular: 'promotion',
  shortNames: ['dpromo'],
  schema: PromotionSchema,
  parse: parsePromotion,
  printerColumns: [
    { name: 'From', type: 'string', jsonPath: '.spec.from', description: 'Source environment' },
    { name: 'To', type: 'string', jsonPath: '.spec.to', description: 'Destination environment' },
    {
      name: 'Schedule',
      type: 'string',
      jsonPath: '.spec.schedule',
      description: 'When eligible versions are promoted',
    },
    { name: 'Last Run', type: 'date', jsonPath: '.status.lastRunTime', description: 'When it last ran' },
    readyColumn,
    ageColumn,
  ],
});
