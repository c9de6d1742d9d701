// Promotion: moves versions from one environment to the next after a soak
// time, optionally only at scheduled times.
import { z } from 'zod';
import { withRules, type Rule } from './cel.js';
import { listMap, listSet } from './collections.js';
import { conditionsSchema, observedGeneration } from './conditions.js';
import { SecretKeyRefSchema } from './delivery.js';
import { formatted, httpUrl, text } from './format.js';
import { objectNameRule } from './meta.js';
import { oneOf } from './rules.js';
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

/** Most approvals a Promotion's spec keeps. */
export const MAX_APPROVALS = 256;
/** Most distinct approvers spec.approval.minApprovals may ask for. */
export const MAX_MIN_APPROVALS = 16;

export const PromotionApprovalSchema = z
  .strictObject({
    application: formatted(dnsLabel, 'The Application, e.g. core.'),
    version: text(128, 'The exact version approved, e.g. 1.12.0.'),
    approver: z.string().min(1).max(512).meta({
      description:
        'Who approved: the user name the API server authenticated for the write, e.g. alice@example.com (depot approve and the HTTP API write it).',
    }),
  })
  .meta({ description: 'An approval of one version of one application by one person.' });

const minApprovalsNeedsRequired: Rule<{ required: boolean; minApprovals: number }> = {
  cel: 'self.required || !has(self.minApprovals) || self.minApprovals == 1',
  check: (s) => s.required || s.minApprovals === 1,
  message: 'minApprovals applies to an approval gate: set required: true too, or remove minApprovals',
  fieldPath: '.minApprovals',
};

export const PromotionApprovalGateSchema = withRules(
  z.strictObject({
    required: z.boolean().default(false).meta({
      description: 'Eligible versions wait (reason ApprovalRequired) until approved (depot approve).',
    }),
    minApprovals: z
      .number()
      .int()
      .min(1)
      .max(MAX_MIN_APPROVALS)
      .default(1)
      .meta({
        description: `How many distinct people must approve the exact version, 1 to ${MAX_MIN_APPROVALS} (default 1).`,
      }),
    allowSelfApproval: z.boolean().default(false).meta({
      description:
        'Count an approval by the identity that first requested the version (the actor of its first Requested history entry) (default false: four eyes).',
    }),
  }),
  minApprovalsNeedsRequired,
).meta({ description: 'Approval gate: people approve each version before it is promoted.' });

/** Most gates of one Promotion. */
export const MAX_GATES = 8;
/** Longest interval and timeout of a gate. */
const MAX_GATE_INTERVAL_HOURS = 24;
const MAX_GATE_TIMEOUT_HOURS = 1;

export const PromotionHttpGateSchema = z
  .strictObject({
    url: formatted(
      httpUrl('https://checks.example.com/depot/prod'),
      "URL Depot POSTs {application, namespace, version, from, to, promotion} to; must be under a prefix of the operator's --gate-url-allow. Redirects are not followed.",
    ),
    secretRef: SecretKeyRefSchema.optional().meta({
      description:
        "Secret in the Promotion's namespace whose key signs the body (X-Signature: sha256=<hex HMAC-SHA256 of the body>), as for a Flux generic-hmac Receiver.",
    }),
    timeout: boundedGoDuration(
      MAX_GATE_TIMEOUT_HOURS,
      'How long one call may take, e.g. 10s, at most 1h (default 10s).',
    ).optional(),
  })
  .meta({
    description:
      'Ask a service: 2xx with no body or {"result":"pass"} passes; {"result":"pending"}, 425 or 429 waits; anything else fails with the answer\'s message.',
  });

/** The variables a prometheus gate's query may use. */
export const GATE_QUERY_VARIABLES = ['application', 'version', 'environment', 'namespace'] as const;

/** A PromQL query whose only ${...} are the known variables. */
const gateQuery = {
  pattern: `^([^$]|\\$[^{]|\\$\\{(${GATE_QUERY_VARIABLES.join('|')})\\})*\\$?$`,
  maxLength: 4096,
  message: `must be a PromQL query whose only variables are ${GATE_QUERY_VARIABLES.map((v) => `\${${v}}`).join(', ')}`,
};

/** A comparison with a number: `< 0.01`, `>= 99.5`, `== 0`. */
export const gateCondition = {
  pattern: '^\\s*(<=|>=|==|!=|<|>)\\s*-?[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]+)?\\s*$',
  maxLength: 64,
  message: 'must compare with a number, e.g. "< 0.01", ">= 99.5" or "== 0"',
};

export const PromotionPrometheusGateSchema = z
  .strictObject({
    address: formatted(
      httpUrl('http://prometheus.monitoring:9090'),
      "Base URL of a Prometheus-compatible API (Depot POSTs {address}/api/v1/query); must be under a prefix of the operator's --gate-url-allow.",
    ),
    query: formatted(
      gateQuery,
      'An instant query whose result is one sample, e.g. sum(rate(http_errors_total{app="${application}",version="${version}"}[5m])) / sum(rate(http_requests_total{app="${application}"}[5m])); ${application}, ${version}, ${environment} (the from environment) and ${namespace} are replaced (as PromQL string contents).',
    ),
    condition: formatted(gateCondition, 'The sample must satisfy it to pass, e.g. "< 0.01".'),
    noDataTimeout: boundedGoDuration(
      MAX_GATE_INTERVAL_HOURS,
      'How long a query with no sample is pending before the gate fails, e.g. 10m (default 10m).',
    ).optional(),
    timeout: boundedGoDuration(
      MAX_GATE_TIMEOUT_HOURS,
      'How long one query may take, e.g. 10s, at most 1h (default 10s).',
    ).optional(),
  })
  .meta({ description: 'Ask Prometheus: one sample compared with a threshold.' });

export const PromotionGateSchema = withRules(
  z.strictObject({
    name: formatted(dnsLabel, 'Names the gate in status, reasons, Events and metrics, e.g. smoke-test.'),
    interval: boundedGoDuration(
      MAX_GATE_INTERVAL_HOURS,
      'How often a pending or failed gate is asked again for the same application and version, e.g. 30s, at most 24h (default 1m). A passed answer is kept until the version or the gate changes.',
    ).optional(),
    http: PromotionHttpGateSchema.optional(),
    prometheus: PromotionPrometheusGateSchema.optional(),
  }),
  oneOf<{ http?: unknown; prometheus?: unknown }>(['http', 'prometheus']),
).meta({
  description:
    'A check every candidate version must pass before it is promoted: exactly one of http, prometheus.',
});

/** What a failed verification does. */
export const VERIFY_ON_FAILURE = ['rollback', 'hold', 'none'] as const;

const rejectNeedsAction: Rule<{ onFailure: string; reject: boolean }> = {
  cel: "!self.reject || self.onFailure != 'none'",
  check: (s) => !s.reject || s.onFailure !== 'none',
  message:
    'reject applies when a verification fails and acts: set onFailure to rollback or hold, or remove reject',
  fieldPath: '.reject',
};

export const PromotionVerifySchema = withRules(
  z.strictObject({
    for: boundedGoDuration(
      MAX_DURATION_HOURS,
      'The verification window: once every target of to reports the promoted version deployed, the gates are asked (each every interval) for this long, e.g. 15m; a failed answer in the window fails the verification.',
    ),
    deployTimeout: boundedGoDuration(
      MAX_DURATION_HOURS,
      'How long the promoted version may take to be reported deployed on every target of to before it counts as a failed verification, e.g. 30m (default 30m).',
    ).optional(),
    gates: listMap(PromotionGateSchema, ['name'], MAX_GATES)
      .min(1)
      .meta({
        description: `Gates asked during the window (the same kinds as spec.gates; \${environment} is to), at least 1, at most ${MAX_GATES}.`,
      }),
    onFailure: z.enum(VERIFY_ON_FAILURE).default('rollback').meta({
      description:
        "What a failed verification does: rollback (to goes back to the version it replaced, if it still requests the failed one; the application is then held as after a person's rollback), hold (the version stays; the Promotion holds the application) or none (recorded only) (default rollback).",
    }),
    reject: z.boolean().default(false).meta({
      description:
        "Also add the failed version to the Application's spec.rejectedVersions, so no Promotion moves it again (default false).",
    }),
  }),
  rejectNeedsAction,
).meta({
  description:
    'Verification after delivery: gates asked for a window once a promoted version is deployed in to.',
});

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
    approval: PromotionApprovalGateSchema.optional(),
    approvals: listMap(PromotionApprovalSchema, ['application', 'version', 'approver'], MAX_APPROVALS)
      .optional()
      .meta({
        description:
          'Approvals, one entry per application, exact version and approver; written by depot approve and the HTTP API (server-side apply, one field manager per approver).',
      }),
    gates: listMap(PromotionGateSchema, ['name'], MAX_GATES)
      .optional()
      .meta({
        description: `Gates every candidate (application, version) must pass, after soak, schedule and approval, at most ${MAX_GATES}; each is asked once per application and version and again every interval while it is pending or failed.`,
      }),
    verify: PromotionVerifySchema.optional(),
    requireVerified: z.boolean().optional().meta({
      description:
        'Promote only versions that passed the verification (spec.verify) of a Promotion into from (default false).',
    }),
  }),
  fromIsNotTo,
  timeZoneNeedsSchedule,
).meta({ description: 'Moves versions from one environment to the next.' });

/** Most applications listed in status.results (the rest are counted in status.summary). */
export const MAX_PROMOTION_RESULTS = 256;
/** Longest reason of one result. */
export const MAX_RESULT_REASON = 4096;

const count = (description: string) => z.number().int().min(0).meta({ description });

/** Longest gate message kept in status. */
export const MAX_GATE_MESSAGE = 512;

export const GATE_RESULTS = ['Passed', 'Pending', 'Failed'] as const;

export const PromotionGateResultSchema = z
  .strictObject({
    name: formatted(dnsLabel, 'The gate (spec.gates[].name).'),
    result: z.enum(GATE_RESULTS).meta({
      description: 'Passed, Pending (not answered yet, or the service asked to wait) or Failed.',
    }),
    message: text(MAX_GATE_MESSAGE, "The gate's last answer, bounded, secrets removed.").optional(),
    time: timestamp('When the gate answered.').optional(),
  })
  .meta({ description: 'The last answer of one gate.' });

export const PromotionResultSchema = z
  .strictObject({
    application: formatted(dnsLabel, 'Application name.'),
    version: text(128, 'The version considered.').optional(),
    outcome: z.enum(['Promoted', 'Waiting', 'Blocked', 'Held', 'UpToDate']).meta({
      description:
        'Promoted, Waiting, Blocked, Held (a person rolled the application back in to) or UpToDate.',
    }),
    reason: text(MAX_RESULT_REASON, 'Why, e.g. "soaking until 2026-01-02T15:04:05Z".').optional(),
    approvers: z
      .array(z.string().max(512))
      .max(MAX_MIN_APPROVALS)
      .optional()
      .meta({
        description: `Approval gates: who approved the version and counts (the requester does not unless self-approval is allowed), at most ${MAX_MIN_APPROVALS}.`,
      }),
    approvalsNeeded: count('Approval gates: how many more distinct approvers the version needs.').optional(),
    gates: listMap(PromotionGateResultSchema, ['name'], MAX_GATES)
      .optional()
      .meta({ description: 'The last answer of each gate for this application and version.' }),
  })
  .meta({ description: 'What the last run did for one application.' });

export const PromotionSummarySchema = z
  .strictObject({
    promoted: count('Applications promoted by the last evaluation.'),
    waiting: count('Applications waiting (soak time, deployment, schedule).'),
    blocked: count('Applications blocked (step not allowed, downgrade).'),
    held: count('Applications held after a rollback in to.').optional(),
    upToDate: count('Applications whose to already requests the version of from.'),
    total: count('Applications the promotion covers.'),
  })
  .meta({ description: 'Counts by outcome of every application covered, listed in results or not.' });

export const PromotionHoldSchema = z
  .strictObject({
    application: formatted(dnsLabel, 'Application name.'),
    version: text(128, 'The version rolled back from: it and older versions are not promoted again.'),
    rolledBackTo: text(128, 'The version the rollback put into to.').optional(),
    by: text(512, 'Who rolled back: a user, or the field manager of a GitOps tool or kubectl.'),
    since: timestamp('When the rollback was seen.'),
  })
  .meta({
    description:
      'A hold after a rollback in to by someone other than this Promotion; ends when a newer version is eligible, or by depot release APP ENV.',
  });

export const VERIFICATION_PHASES = ['Deploying', 'Verifying', 'Verified', 'Failed', 'MovedOn'] as const;

export const PromotionVerificationSchema = z
  .strictObject({
    application: formatted(dnsLabel, 'Application name.'),
    version: text(128, 'The version this Promotion promoted into to.'),
    replaced: text(128, 'The version to requested before (what a rollback returns to).').optional(),
    phase: z.enum(VERIFICATION_PHASES).meta({
      description:
        'Deploying (waiting for every target of to to report it), Verifying (in the window), Verified, Failed, or MovedOn (to was moved to another version before the verification ended: nothing was done).',
    }),
    promotedAt: timestamp('When this Promotion wrote the version into to.'),
    startedAt: timestamp('When the window started (every target of to reported the version).').optional(),
    finishedAt: timestamp('When the verification ended.').optional(),
    action: z.enum(['RolledBack', 'Held', 'None']).optional().meta({
      description: 'Failed: what was done (onFailure).',
    }),
    rejected: z.boolean().optional().meta({ description: 'Failed: the version was also rejected.' }),
    message: text(MAX_RESULT_REASON, 'Why it failed, or what happened.').optional(),
    gates: listMap(PromotionGateResultSchema, ['name'], MAX_GATES)
      .optional()
      .meta({ description: 'The last answer of each verification gate in the window.' }),
  })
  .meta({ description: 'The verification of one application version promoted by this Promotion.' });

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
    holds: listMap(PromotionHoldSchema, ['application'], MAX_PROMOTION_RESULTS).optional().meta({
      description: 'Applications held after a rollback in to, at most 256.',
    }),
    verifySince: timestamp(
      'When this Promotion first ran with spec.verify: versions it wrote before are not verified (adding verify never rolls back what already runs).',
    ).optional(),
    verifications: listMap(PromotionVerificationSchema, ['application'], MAX_PROMOTION_RESULTS)
      .optional()
      .meta({
        description:
          'spec.verify: the latest verification per application (those in progress or failed first), at most 256.',
      }),
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
export type PromotionHold = z.infer<typeof PromotionHoldSchema>;
export type PromotionApproval = z.infer<typeof PromotionApprovalSchema>;
export type PromotionApprovalGate = z.infer<typeof PromotionApprovalGateSchema>;
export type PromotionGate = z.infer<typeof PromotionGateSchema>;
export type PromotionPrometheusGate = z.infer<typeof PromotionPrometheusGateSchema>;
export type PromotionGateResult = z.infer<typeof PromotionGateResultSchema>;
export type GateResult = PromotionGateResult['result'];
export type Promotion = z.infer<typeof PromotionSchema>;
export type PromotionVerify = z.infer<typeof PromotionVerifySchema>;
export type PromotionVerification = z.infer<typeof PromotionVerificationSchema>;
export type VerificationPhase = PromotionVerification['phase'];

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
