// Application: anything whose version is tracked (a microservice, an ML
// model, a CLI), its requested version per environment and its rules.
import { z } from 'zod';
import { celRegex, celString, withRules, type FieldPath, type Rule } from './cel.js';
import { listMap, listSet, mapOf } from './collections.js';
import { conditionsSchema, observedGeneration } from './conditions.js';
import { DeliveryOverrideSchema } from './delivery.js';
import { formatted, text, httpUrl } from './format.js';
import { objectNameRule } from './meta.js';
import { dnsLabel } from './names.js';
import { ageColumn, defineKind, parser, readyColumn, resourceSchema } from './resource.js';
import { opaqueVersion, semverRange, semverVersion } from './semver.js';
import { timestamp } from './time.js';

const homepageUrl = httpUrl('https://github.com/acme/core');

/** A semver range, or an exact opaque version (an opaque application is required by exact version only). */
const requiredVersions = {
  pattern: `(${semverRange.pattern})|(${opaqueVersion.pattern})`,
  maxLength: semverRange.maxLength,
  message: `${semverRange.message}, or an exact version of an application with versionScheme opaque`,
};

export const CompatibilityRuleSchema = z
  .strictObject({
    when: formatted(
      semverRange,
      'The versions of this application the rule applies to, a semver range, e.g. ">=2.0.0" (default: every version).',
    ).optional(),
    requires: z
      .strictObject({
        application: formatted(dnsLabel, 'The Application required in the same environment, e.g. core.'),
        versions: formatted(
          requiredVersions,
          'Its versions that work with this one: a semver range, e.g. ">=1.12.0 <2.0.0", or, for an application with versionScheme opaque, one exact version.',
        ),
      })
      .meta({ description: 'The application and versions that must run in the same environment.' }),
  })
  .meta({ description: 'A requirement, e.g. dash >=2.0.0 requires core >=1.12.0 <2.0.0.' });

export const RejectedVersionSchema = z
  .strictObject({
    version: text(128, 'The rejected version, e.g. 1.3.0 (valid for the versionScheme).'),
    reason: text(1024, 'Why it is rejected, e.g. "corrupts uploads (INC-42)".'),
  })
  .meta({
    description:
      'A version never to promote again: promotions and new requests of it are blocked (unless forced), environments that run it are flagged.',
  });

/**
 * Who changed a requested version, as the API server authenticated them:
 * written by Depot's MutatingAdmissionPolicy (or by the operator for the user
 * its HTTP API authenticated, or as a Promotion), never applied by clients.
 * `version` binds the stamp to the write it records.
 */
export const RequestStampSchema = z
  .strictObject({
    user: text(512, 'The authenticated username, e.g. alice@example.com, or promotion <name>.'),
    version: text(128, 'The requested version this stamp records.'),
  })
  .meta({ description: 'Who requested spec.versions.<env>, stamped at admission.' });

export const ApplicationEnvironmentSchema = z
  .strictObject({ name: formatted(dnsLabel, 'Name of the Environment, e.g. qa.') })
  .meta({ description: 'An environment of this application, in addition to those of its EnvironmentSets.' });

type VersionedSpec = {
  versionScheme: 'semver' | 'opaque';
  versions?: Record<string, string>;
  compatibility?: { when?: string }[];
};

const semverRe = new RegExp(semverVersion.pattern);
const versionsAreSemver: Rule<VersionedSpec> = {
  cel: `self.versionScheme == 'opaque' || !has(self.versions) || self.versions.all(e, self.versions[e].matches(${celRegex(semverVersion.pattern)}))`,
  messageExpression: `'environment ' + self.versions.filter(e, !self.versions[e].matches(${celRegex(semverVersion.pattern)}))[0] + ': ' + ${celString(
    'version must be a semantic version such as 1.2.3 or v1.2.3 (or set spec.versionScheme: opaque)',
  )}`,
  check: (spec) =>
    spec.versionScheme === 'opaque'
      ? []
      : Object.entries(spec.versions ?? {}).flatMap(([env, v]): FieldPath[] =>
          semverRe.test(v) ? [] : [['versions', env]],
        ),
  message: 'versions must be semantic versions such as 1.2.3 or v1.2.3 (or set spec.versionScheme: opaque)',
  fieldPath: '.versions',
};

const opaqueHasNoRanges: Rule<VersionedSpec> = {
  cel: "self.versionScheme != 'opaque' || !has(self.compatibility) || self.compatibility.all(r, !has(r.when))",
  check: (spec) =>
    spec.versionScheme !== 'opaque'
      ? []
      : (spec.compatibility ?? []).flatMap((r, i): FieldPath[] =>
          r.when === undefined ? [] : [['compatibility', i, 'when']],
        ),
  message: 'compatibility rules cannot use when with versionScheme opaque (opaque versions have no ranges)',
  fieldPath: '.compatibility',
};

export const ApplicationSpecSchema = withRules(
  z.strictObject({
    description: text(1024, 'What the application is, e.g. "Pachyderm core".').optional(),
    url: formatted(
      homepageUrl,
      'Where to learn more, e.g. the repository: https://github.com/acme/core.',
    ).optional(),
    environmentSets: listSet(formatted(dnsLabel, 'An EnvironmentSet name.'), 16)
      .optional()
      .meta({ description: 'EnvironmentSets whose environments this application has, e.g. [default].' }),
    environments: listMap(ApplicationEnvironmentSchema, ['name'], 64).optional().meta({
      description:
        'More environments, by name; merged with those of the EnvironmentSets (a direct entry wins).',
    }),
    versions: mapOf(
      dnsLabel,
      formatted(opaqueVersion, 'The requested version in this environment, e.g. 1.12.1.'),
      64,
      'environment names (keys)',
    )
      .optional()
      .meta({
        description:
          'The requested version per environment, e.g. {dev: 1.12.1, prod: 1.11.3}. Written by people, CI (depot set-version) and promotions, each with its own field manager.',
      }),
    versionScheme: z.enum(['semver', 'opaque']).default('semver').meta({
      description:
        'semver (default; a leading v is tolerated) or opaque (any string; no ordering, no ranges).',
    }),
    compatibility: z.array(CompatibilityRuleSchema).max(32).optional().meta({
      description:
        'Rules on the versions of other applications in the same environment; a request that breaks one is blocked until it holds.',
    }),
    requestedBy: mapOf(dnsLabel, RequestStampSchema, 64, 'environment names (keys)').optional().meta({
      description:
        "Who requested each version, as authenticated: written at admission by Depot's MutatingAdmissionPolicy (do not apply it; a ValidatingAdmissionPolicy refuses changes).",
    }),
    rejectedVersions: listMap(
      RejectedVersionSchema.extend({
        rejectedBy: text(
          512,
          "Who rejected it, as authenticated: written at admission by Depot's MutatingAdmissionPolicy (do not apply it).",
        ).optional(),
      }),
      ['version'],
      64,
    )
      .optional()
      .meta({
        description:
          'Versions rejected by a person (depot reject, or a GitOps repository): never promoted, new requests of them blocked unless forced.',
      }),
    targets: mapOf(dnsLabel, DeliveryOverrideSchema, 64, 'target names (keys)').optional().meta({
      description:
        'Delivery settings per Target for this application, e.g. {prod-argocd: {argocd: {applicationName: pachyderm-ide}}}.',
    }),
  }),
  versionsAreSemver,
  opaqueHasNoRanges,
).meta({ description: 'An application whose version Depot tracks per environment.' });

const BlockedSchema = z
  .strictObject({
    reason: text(1024, 'CamelCase reason, e.g. RequirementNotMet or Frozen.'),
    message: text(4096, 'Why, e.g. "dash 2.0.0 requires core >=1.12.0 <2.0.0; prod runs core 1.11.3".'),
  })
  .meta({ description: 'Why the requested version is not delivered; null when it is.' });

const version = (description: string) => text(128, description).optional();

export const ApplicationEnvironmentStatusSchema = z
  .strictObject({
    name: formatted(dnsLabel, 'Environment name.'),
    requested: version('The requested version (spec.versions).'),
    desired: version('The version Depot delivers; differs from requested while the request is blocked.'),
    desiredSince: timestamp('When desired last changed.').optional(),
    setBy: text(512, 'Who set the requested version: a field manager, user or promotion.').optional(),
    blocked: BlockedSchema.nullable().optional(),
    targets: z
      .array(formatted(dnsLabel, 'A Target name.'))
      .max(256)
      .optional()
      .meta({ description: 'Targets in this environment.' }),
  })
  .meta({ description: 'The versions of this application in one environment.' });

export const DeliveryStateSchema = z
  .strictObject({
    state: z.enum(['Pending', 'Delivered', 'Failed', 'Blocked', 'Contested']).meta({
      description:
        'Pending, Delivered, Failed, Blocked or Contested (another writer keeps resetting the delivered field; Depot stopped re-applying it).',
    }),
    message: text(4096, 'Details, e.g. the error of the last attempt.').optional(),
    attempts: z
      .number()
      .int()
      .min(0)
      .optional()
      .meta({ description: 'Delivery attempts of the desired version.' }),
    lastAttempt: timestamp('When delivery was last attempted.').optional(),
  })
  .meta({ description: 'Delivery of the desired version to the target.' });

export const ApplicationTargetStatusSchema = z
  .strictObject({
    name: formatted(dnsLabel, 'Target name.'),
    environment: formatted(dnsLabel, 'Environment of the target.').optional(),
    desired: version('The version delivered to the target.'),
    deployed: version(
      'The version the target reports as deployed (Argo CD / Flux status, the agent, depot set-deployed).',
    ),
    deployedAt: timestamp('When deployed was last reported.').optional(),
    delivery: DeliveryStateSchema.optional(),
  })
  .meta({ description: 'The versions of this application on one target.' });

export const HISTORY_TYPES = [
  'Requested',
  'Promoted',
  'Delivered',
  'Deployed',
  'Blocked',
  'Unblocked',
  'Forced',
  'Reapplied',
  'RolledBack',
  'Rejected',
  'Unrejected',
  'GatePassed',
  'GateFailed',
  'Verified',
  'VerificationFailed',
] as const;

export const HistoryEntrySchema = z
  .strictObject({
    id: text(
      64,
      'Unique id of the entry; the audit log and Events carry it, so a consumer can drop the duplicates that at-least-once delivery may send after an operator crash.',
    ).optional(),
    time: timestamp('When it happened.'),
    type: z.enum(HISTORY_TYPES).meta({ description: HISTORY_TYPES.join(', ') + '.' }),
    environment: formatted(
      dnsLabel,
      'The environment (none for Rejected and Unrejected, which concern every environment).',
    ).optional(),
    target: formatted(dnsLabel, 'The target, for Delivered and Deployed.').optional(),
    from: version('The version before.'),
    to: version('The version after.'),
    actor: text(512, 'Who did it: a user, CI field manager, promotion or the controller.').optional(),
    actorUnverified: z.boolean().optional().meta({
      description:
        "true when the actor is a name the client chose (a field manager), not one the API server authenticated (Depot's admission policies are not installed).",
    }),
    message: text(4096, 'Details.').optional(),
  })
  .meta({ description: 'One change of a version, for the audit trail.' });

/** How many versions status.knownVersions keeps per application (the newest). */
export const MAX_KNOWN_VERSIONS = 50;

export const KnownVersionSchema = z
  .strictObject({
    version: text(128, 'The version, e.g. 1.12.0.'),
    firstSeen: timestamp('When Depot first saw it.'),
    via: z
      .enum(['Requested', 'Promoted', 'Deployed'])
      .meta({ description: 'How Depot first saw it: Requested, Promoted or Deployed.' }),
    environment: formatted(dnsLabel, 'Where it was first seen: the environment.'),
    target: formatted(dnsLabel, 'The target, when it was first seen deployed.').optional(),
  })
  .meta({ description: 'A version Depot has seen requested, promoted or deployed.' });

export const ApplicationStatusSchema = z
  .strictObject({
    observedGeneration: observedGeneration(),
    conditions: conditionsSchema('Ready, Compatible, Delivered'),
    environments: listMap(ApplicationEnvironmentStatusSchema, ['name'], 64)
      .optional()
      .meta({ description: 'Per environment: requested and desired version, and why a request is blocked.' }),
    targets: listMap(ApplicationTargetStatusSchema, ['name'], 256)
      .optional()
      .meta({ description: 'Per target: desired and deployed version and the delivery state.' }),
    knownVersions: z
      .array(KnownVersionSchema)
      .max(MAX_KNOWN_VERSIONS)
      .optional()
      .meta({
        description: `Versions Depot has seen requested, promoted or deployed, newest first (semver order; opaque: by first sight), at most ${MAX_KNOWN_VERSIONS}; compatibility questions (depot compat) answer from them.`,
      }),
    rejectedVersions: listMap(
      RejectedVersionSchema.extend({
        by: text(512, 'Who rejected it: a user of depot reject, or a field manager.'),
      }),
      ['version'],
      64,
    )
      .optional()
      .meta({ description: 'spec.rejectedVersions as last seen, with who rejected each.' }),
    history: z
      .array(HistoryEntrySchema)
      .max(1000)
      .optional()
      .meta({ description: 'Version changes, newest first, bounded (default 100).' }),
    historySentThrough: text(
      64,
      'The id of the newest history entry already sent to the audit log and as an Event when this status was written; after an operator crash, newer entries are sent again.',
    ).optional(),
    historySinkThrough: text(
      64,
      'With --audit-sink: the id of the newest history entry the CloudEvents sink had accepted when this status was written; newer entries are sent (again) after a restart, and the status byte budget drops no entry newer than it while older ones can go.',
    ).optional(),
  })
  .meta({ description: 'Observed state, written by the controller (deployed also by depot set-deployed).' });

type WithCompatibility = {
  metadata: { name: string };
  spec: { compatibility?: { requires: { application: string } }[] };
};
const noSelfRequirement: Rule<WithCompatibility> = {
  cel: '!has(self.spec.compatibility) || self.spec.compatibility.all(r, r.requires.application != self.metadata.name)',
  check: (app) =>
    (app.spec.compatibility ?? []).flatMap((r, i): FieldPath[] =>
      r.requires.application === app.metadata.name
        ? [['spec', 'compatibility', i, 'requires', 'application']]
        : [],
    ),
  message: 'an application cannot require itself in spec.compatibility',
  fieldPath: '.spec.compatibility',
};

export const ApplicationSchema = withRules(
  resourceSchema(
    'Application',
    ApplicationSpecSchema.default({ versionScheme: 'semver' }),
    ApplicationStatusSchema,
    'Application: anything whose version Depot tracks per environment and target.',
  ),
  objectNameRule,
  noSelfRequirement,
);

export type RejectedVersion = z.infer<typeof RejectedVersionSchema>;
export type CompatibilityRule = z.infer<typeof CompatibilityRuleSchema>;
export type ApplicationSpec = z.infer<typeof ApplicationSpecSchema>;
export type ApplicationStatus = z.infer<typeof ApplicationStatusSchema>;
export type ApplicationEnvironmentStatus = z.infer<typeof ApplicationEnvironmentStatusSchema>;
export type ApplicationTargetStatus = z.infer<typeof ApplicationTargetStatusSchema>;
export type DeliveryState = z.infer<typeof DeliveryStateSchema>;
export type HistoryEntry = z.infer<typeof HistoryEntrySchema>;
export type HistoryType = HistoryEntry['type'];
export type KnownVersion = z.infer<typeof KnownVersionSchema>;
export type Application = z.infer<typeof ApplicationSchema>;

export const parseApplication = parser(ApplicationSchema);

export const applicationKind = defineKind({
  kind: 'Application',
  plural: 'applications',
  singular: 'application',
  shortNames: ['dapp'],
  schema: ApplicationSchema,
  parse: parseApplication,
  printerColumns: [
    {
      name: 'Description',
      type: 'string',
      jsonPath: '.spec.description',
      description: 'What the application is',
    },
    {
      name: 'Environments',
      type: 'string',
      jsonPath: '.spec.versions',
      description: 'Requested version per environment',
    },
    readyColumn,
    ageColumn,
  ],
});
