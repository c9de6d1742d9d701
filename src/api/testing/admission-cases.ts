// Objects the API server must reject (and accept), each with the field it must
// name. Used twice: by a unit test (zod agrees) and by an integration test
// against a real kube-apiserver (the generated CRD rejects with that field).
import type { KindName } from '../index.js';

export interface InvalidCase {
  title: string;
  kind: KindName;
  /** metadata.name (default "bad"). */
  name?: string;
  spec: unknown;
  /** The field path the API server names (CEL names map entries `versions[dev]`, OpenAPI `versions.dev`). */
  field: string;
  /** Text the API server's message contains. */
  server: string;
  /** Where zod reports it, when not `field`. */
  zodPath?: string;
  /** Text zod's message contains, when not `server`. */
  zod?: string;
}

export interface ValidCase {
  title: string;
  kind: KindName;
  spec: unknown;
}

const longString = (n: number) => 'a'.repeat(n);
const argocd = (settings: object) => ({ environment: 'dev', delivery: { argocd: settings } });
const patch = {
  apiVersion: 'helm.toolkit.fluxcd.io/v2',
  kind: 'HelmRelease',
  name: '${application}',
  field: 'spec.chart.spec.version',
};
const fluxTarget = (flux: object) => ({ environment: 'dev', delivery: { flux } });
const freeze = (window: object) => ({
  freeze: { enabled: true, windows: [{ schedule: '0 18 * * 5', duration: '62h', ...window }] },
});
const promotion = (extra: object) => ({ from: 'staging', to: 'prod', ...extra });

export const INVALID_CASES: InvalidCase[] = [
  // Application
  {
    title: 'a non-semver version under versionScheme semver',
    kind: 'Application',
    spec: { versions: { dev: 'latest' } },
    field: 'spec.versions',
    server: 'semantic version',
    zodPath: 'spec.versions.dev',
  },
  {
    title: 'a version with whitespace (opaque)',
    kind: 'Application',
    spec: { versionScheme: 'opaque', versions: { dev: 'build 7' } },
    field: 'spec.versions[dev]',
    server: 'must be a version',
    zodPath: 'spec.versions.dev',
  },
  {
    title: 'a version over 128 characters',
    kind: 'Application',
    spec: { versionScheme: 'opaque', versions: { dev: longString(129) } },
    field: 'spec.versions.dev',
    server: 'Too long',
    zod: 'at most 128',
  },
  {
    title: 'an environment name key that is not a label',
    kind: 'Application',
    spec: { versions: { Prod: '1.0.0' } },
    field: 'spec.versions',
    server: 'environment names (keys) must be a lowercase RFC 1123 label',
    zodPath: 'spec.versions.Prod',
  },
  {
    title: 'an unknown versionScheme',
    kind: 'Application',
    spec: { versionScheme: 'calver' },
    field: 'spec.versionScheme',
    server: 'Unsupported value',
    zod: 'must be one of "semver", "opaque"',
  },
  {
    title: 'a malformed when range',
    kind: 'Application',
    spec: { compatibility: [{ when: '>=2 <<3', requires: { application: 'core', versions: '>=1.0.0' } }] },
    field: 'spec.compatibility[0].when',
    server: 'must be a semver range',
  },
  {
    title: 'a malformed required range',
    kind: 'Application',
    spec: { compatibility: [{ requires: { application: 'core', versions: 'one.two' } }] },
    field: 'spec.compatibility[0].requires.versions',
    server: 'must be a semver range',
  },
  {
    title: 'a required application name that is not a label',
    kind: 'Application',
    spec: { compatibility: [{ requires: { application: 'Core', versions: '*' } }] },
    field: 'spec.compatibility[0].requires.application',
    server: 'RFC 1123 label',
  },
  {
    title: 'an application that requires itself',
    kind: 'Application',
    spec: { compatibility: [{ requires: { application: 'bad', versions: '>=1.0.0' } }] },
    field: 'spec.compatibility',
    server: 'cannot require itself',
    zodPath: 'spec.compatibility[0].requires.application',
  },
  {
    title: 'a when range with versionScheme opaque',
    kind: 'Application',
    spec: {
      versionScheme: 'opaque',
      compatibility: [{ when: '>=1.0.0', requires: { application: 'core', versions: '>=1.0.0' } }],
    },
    field: 'spec.compatibility',
    server: 'cannot use when with versionScheme opaque',
    zodPath: 'spec.compatibility[0].when',
  },
  {
    title: 'a url that is not http(s)',
    kind: 'Application',
    spec: { url: 'git@github.com:acme/core.git' },
    field: 'spec.url',
    server: 'http or https URL',
  },
  {
    title: 'the same environment listed twice',
    kind: 'Application',
    spec: { environments: [{ name: 'dev' }, { name: 'dev' }] },
    field: 'spec.environments[1]',
    server: 'Duplicate value',
  },
  {
    title: 'the same EnvironmentSet listed twice',
    kind: 'Application',
    spec: { environmentSets: ['default', 'default'] },
    field: 'spec.environmentSets[1]',
    server: 'Duplicate value',
  },
  {
    title: 'a target override setting argocd and flux',
    kind: 'Application',
    spec: {
      targets: { 'prod-argocd': { argocd: { applicationName: 'x' }, flux: { patch: { name: 'x' } } } },
    },
    field: 'spec.targets[prod-argocd]',
    server: 'at most one of argocd, flux may be set',
    zodPath: 'spec.targets.prod-argocd',
  },
  {
    title: 'a target override key that is not a label',
    kind: 'Application',
    spec: { targets: { Prod_Cluster: { argocd: {} } } },
    field: 'spec.targets',
    server: 'target names (keys)',
    zodPath: 'spec.targets.Prod_Cluster',
  },
  {
    title: 'a description over 1024 characters',
    kind: 'Application',
    spec: { description: longString(1025) },
    field: 'spec.description',
    server: 'Too long',
    zod: 'at most 1024',
  },
  {
    title: 'an unknown field (kubectl validates strictly)',
    kind: 'Application',
    spec: { verions: { dev: '1.0.0' } },
    field: 'spec.verions',
    server: 'unknown field',
    zod: 'unknown field',
  },
  {
    title: 'an object name that is not a label',
    kind: 'Application',
    name: 'core.v2',
    spec: {},
    field: 'metadata.name',
    server: 'RFC 1123 label',
  },
  // Target
  {
    title: 'two delivery methods',
    kind: 'Target',
    spec: { environment: 'dev', delivery: { agent: {}, none: {} } },
    field: 'spec.delivery',
    server: 'exactly one of argocd, flux, agent, none must be set',
  },
  {
    title: 'an empty delivery',
    kind: 'Target',
    spec: { environment: 'dev', delivery: {} },
    field: 'spec.delivery',
    server: 'exactly one of argocd, flux, agent, none must be set',
  },
  {
    title: 'an unknown template variable',
    kind: 'Target',
    spec: argocd({ applicationName: '${app}-${environment}' }),
    field: 'spec.delivery.argocd.applicationName',
    server: 'may only use the template variables ${application}, ${environment}, ${target} and ${namespace}',
  },
  {
    title: 'a name template with characters no name may have',
    kind: 'Target',
    spec: argocd({ applicationName: 'My_App' }),
    field: 'spec.delivery.argocd.applicationName',
    server: 'may only contain lowercase letters',
  },
  {
    title: 'two things to set in the Argo CD Application',
    kind: 'Target',
    spec: argocd({ set: { helmParameter: 'image.tag', kustomizeImage: 'ghcr.io/acme/core' } }),
    field: 'spec.delivery.argocd.set',
    server: 'exactly one of targetRevision, helmParameter, kustomizeImage must be set',
  },
  {
    title: 'a negative source index',
    kind: 'Target',
    spec: argocd({ source: -1 }),
    field: 'spec.delivery.argocd.source',
    server: 'greater than or equal to 0',
    zod: 'at least 0',
  },
  {
    title: 'an empty flux delivery',
    kind: 'Target',
    spec: fluxTarget({}),
    field: 'spec.delivery.flux',
    server: 'at least one of patch and receiver must be set',
  },
  {
    title: 'a flux patch field outside spec',
    kind: 'Target',
    spec: fluxTarget({ patch: { ...patch, field: 'metadata.labels.version' } }),
    field: 'spec.delivery.flux.patch.field',
    server: 'must be a field under spec',
  },
  {
    title: 'a flux patch apiVersion that is not an API version',
    kind: 'Target',
    spec: fluxTarget({ patch: { ...patch, apiVersion: 'HelmRelease' } }),
    field: 'spec.delivery.flux.patch.apiVersion',
    server: 'must be a Kubernetes API version',
  },
  {
    title: 'a flux patch without field',
    kind: 'Target',
    spec: fluxTarget({ patch: { ...patch, field: undefined } }),
    field: 'spec.delivery.flux.patch.field',
    server: 'Required value',
    zod: 'required field is missing',
  },
  {
    title: 'a receiver URL that is not http(s)',
    kind: 'Target',
    spec: fluxTarget({ receiver: { url: 'ftp://flux/hook/1' } }),
    field: 'spec.delivery.flux.receiver.url',
    server: 'http or https URL',
  },
  {
    title: 'a generic-hmac receiver without secretRef',
    kind: 'Target',
    spec: fluxTarget({ receiver: { url: 'http://flux/hook/1', type: 'generic-hmac' } }),
    field: 'spec.delivery.flux.receiver.secretRef',
    server: 'secretRef is required when type is generic-hmac',
  },
  {
    title: 'an unknown receiver type',
    kind: 'Target',
    spec: fluxTarget({ receiver: { url: 'http://flux/hook/1', type: 'github' } }),
    field: 'spec.delivery.flux.receiver.type',
    server: 'Unsupported value',
    zod: 'must be one of',
  },
  {
    title: 'a target without environment',
    kind: 'Target',
    spec: { delivery: { none: {} } },
    field: 'spec.environment',
    server: 'Required value',
    zod: 'required field is missing',
  },
  {
    title: 'an environment reference that is not a label',
    kind: 'Target',
    spec: { environment: 'Prod' },
    field: 'spec.environment',
    server: 'RFC 1123 label',
  },
  {
    title: 'a target name with a dot',
    kind: 'Target',
    name: 'prod.eu',
    spec: { environment: 'prod' },
    field: 'metadata.name',
    server: 'RFC 1123 label',
  },
  // Environment
  {
    title: 'a freeze schedule with minute 61',
    kind: 'Environment',
    spec: freeze({ schedule: '61 * * * *' }),
    field: 'spec.freeze.windows[0].schedule',
    server: 'must be a 5-field cron schedule',
  },
  {
    title: 'a freeze duration in days',
    kind: 'Environment',
    spec: freeze({ duration: '2d' }),
    field: 'spec.freeze.windows[0].duration',
    server: 'must be a Go duration',
  },
  {
    title: 'a freeze window longer than a year',
    kind: 'Environment',
    spec: freeze({ duration: '8761h' }),
    field: 'spec.freeze.windows[0].duration',
    server: 'must be at most 8760h (365 days)',
  },
  {
    title: 'a freeze window past the end of dates (2.4e9h)',
    kind: 'Environment',
    spec: freeze({ duration: '2400000000h' }),
    field: 'spec.freeze.windows[0].duration',
    server: 'must be at most 8760h (365 days)',
  },
  {
    title: 'a time zone with a space',
    kind: 'Environment',
    spec: freeze({ timeZone: 'Europe Berlin' }),
    field: 'spec.freeze.windows[0].timeZone',
    server: 'IANA time zone',
  },
  {
    title: 'more than 16 freeze windows',
    kind: 'Environment',
    spec: {
      freeze: {
        enabled: true,
        windows: Array.from({ length: 17 }, () => ({ schedule: '@daily', duration: '1h' })),
      },
    },
    field: 'spec.freeze.windows',
    server: 'Too many',
    zod: 'at most 16 items',
  },
  {
    title: 'freeze.enabled as a string',
    kind: 'Environment',
    spec: { freeze: { enabled: 'yes' } },
    field: 'spec.freeze.enabled',
    server: 'must be of type boolean',
    zod: 'must be a boolean',
  },
  // EnvironmentSet
  {
    title: 'an environment listed twice in a set',
    kind: 'EnvironmentSet',
    spec: { environments: ['dev', 'prod', 'dev'] },
    field: 'spec.environments',
    server: 'must not name the same environment twice',
    zodPath: 'spec.environments[2]',
  },
  {
    title: 'an empty EnvironmentSet',
    kind: 'EnvironmentSet',
    spec: { environments: [] },
    field: 'spec.environments',
    server: 'should have at least 1 items',
    zod: 'at least 1 items',
  },
  {
    title: 'an EnvironmentSet of 33 environments',
    kind: 'EnvironmentSet',
    spec: { environments: Array.from({ length: 33 }, (_, i) => `e${i}`) },
    field: 'spec.environments',
    server: 'Too many',
    zod: 'at most 32 items',
  },
  // Promotion
  {
    title: 'a promotion from an environment to itself',
    kind: 'Promotion',
    spec: { from: 'prod', to: 'prod' },
    field: 'spec.to',
    server: 'to must differ from from',
  },
  {
    title: 'a soak time in words',
    kind: 'Promotion',
    spec: promotion({ after: '10 minutes' }),
    field: 'spec.after',
    server: 'must be a Go duration',
  },
  {
    title: 'a soak time longer than a year, in minutes',
    kind: 'Promotion',
    spec: promotion({ after: '525601m' }),
    field: 'spec.after',
    server: 'must be at most 8760h (365 days)',
  },
  {
    title: 'a soak time longer than a year, in parts',
    kind: 'Promotion',
    spec: promotion({ after: '8000h8000h' }),
    field: 'spec.after',
    server: 'must be at most 8760h (365 days)',
  },
  {
    title: 'a soak time past the longest Go duration',
    kind: 'Promotion',
    spec: promotion({ after: '2562048h' }),
    field: 'spec.after',
    server: 'must be at most 8760h (365 days)',
  },
  {
    title: 'a soak time past the end of dates (2.4e9h)',
    kind: 'Promotion',
    spec: promotion({ after: '2400000000h' }),
    field: 'spec.after',
    server: 'must be at most 8760h (365 days)',
  },
  {
    title: 'a soak time of 10^30 nanoseconds',
    kind: 'Promotion',
    spec: promotion({ after: '1' + '0'.repeat(30) + 'ns' }),
    field: 'spec.after',
    server: 'must be at most 8760h (365 days)',
  },
  {
    title: 'a schedule with hour 25',
    kind: 'Promotion',
    spec: promotion({ schedule: '0 25 * * *' }),
    field: 'spec.schedule',
    server: 'must be a 5-field cron schedule',
  },
  {
    title: 'a six-field schedule',
    kind: 'Promotion',
    spec: promotion({ schedule: '0 0 9 * * 1' }),
    field: 'spec.schedule',
    server: 'must be a 5-field cron schedule',
  },
  {
    title: 'a timeZone without schedule',
    kind: 'Promotion',
    spec: promotion({ timeZone: 'Europe/Berlin' }),
    field: 'spec.timeZone',
    server: 'set schedule too',
  },
  {
    title: 'an unknown semver step',
    kind: 'Promotion',
    spec: promotion({ allow: ['patch', 'huge'] }),
    field: 'spec.allow[1]',
    server: 'Unsupported value',
    zod: 'must be one of "patch", "minor", "major"',
  },
  {
    title: 'an In requirement without values',
    kind: 'Promotion',
    spec: promotion({ selector: { matchExpressions: [{ key: 'tier', operator: 'In' }] } }),
    field: 'spec.selector.matchExpressions[0].values',
    server: 'values must be non-empty for In and NotIn',
  },
  {
    title: 'a selector label key that is not a label key',
    kind: 'Promotion',
    spec: promotion({ selector: { matchLabels: { '-tier': 'web' } } }),
    field: 'spec.selector.matchLabels',
    server: 'label keys',
    zodPath: 'spec.selector.matchLabels.-tier',
  },
  {
    title: 'requireDeployed as a string',
    kind: 'Promotion',
    spec: promotion({ requireDeployed: 'no' }),
    field: 'spec.requireDeployed',
    server: 'must be of type boolean',
    zod: 'must be a boolean',
  },
  {
    title: 'a promotion without from',
    kind: 'Promotion',
    spec: { to: 'prod' },
    field: 'spec.from',
    server: 'Required value',
    zod: 'required field is missing',
  },
];

export const VALID_CASES: ValidCase[] = [
  { title: 'an Application with no spec fields (defaults only)', kind: 'Application', spec: {} },
  {
    title: 'versions with a leading v and pre-release/build metadata',
    kind: 'Application',
    spec: { versions: { dev: 'v1.2.3-rc.1+build.7', prod: '1.2.2' } },
  },
  {
    title: 'opaque versions such as image digests and dates',
    kind: 'Application',
    spec: {
      versionScheme: 'opaque',
      versions: { dev: 'sha256:0a1b2c', prod: '2026-01-02_7' },
      compatibility: [{ requires: { application: 'core', versions: '^1.2' } }],
    },
  },
  {
    title: 'ranges of every grammar form',
    kind: 'Application',
    spec: {
      compatibility: [
        '>=1.12.0 <2.0.0',
        '^1.2',
        '~1.2.3',
        '1.x || >=2.1.0',
        '1.2.3 - 1.4.0',
        '*',
        '>= 1.2',
        '~>1.2',
      ].map((versions) => ({ when: '*', requires: { application: 'core', versions } })),
    },
  },
  {
    title: 'a multi-source Argo CD target addressed by source name and by index',
    kind: 'Target',
    spec: argocd({
      applicationName: '${application}-${environment}',
      set: { kustomizeImage: 'ghcr.io/acme/${application}' },
      source: 'app',
    }),
  },
  { title: 'an Argo CD source index 0', kind: 'Target', spec: argocd({ source: 0 }) },
  {
    title: 'flux patch and receiver together',
    kind: 'Target',
    spec: fluxTarget({
      patch: { ...patch, namespace: '${namespace}' },
      receiver: { url: 'https://flux.example.com/hook/1', type: 'generic' },
    }),
  },
  { title: 'a Target with delivery omitted (none)', kind: 'Target', spec: { environment: 'prod' } },
  {
    title: 'freeze windows with macros and names',
    kind: 'Environment',
    spec: {
      freeze: {
        enabled: true,
        windows: [
          { schedule: '@daily', duration: '1h30m' },
          { schedule: '0 18 * * FRI', duration: '62h', timeZone: 'America/Argentina/Buenos_Aires' },
        ],
      },
    },
  },
  {
    title: 'a freeze window of exactly a year',
    kind: 'Environment',
    spec: freeze({ duration: '8760h' }),
  },
  {
    title: 'a soak time of a year in seconds, with leading zeros',
    kind: 'Promotion',
    spec: promotion({ after: '0031536000s' }),
  },
  {
    title: 'a soak time of a year in mixed units',
    kind: 'Promotion',
    spec: promotion({ after: '8759h59m59.999s' }),
  },
  {
    title: 'a promotion with every field',
    kind: 'Promotion',
    spec: promotion({
      after: '1h30m',
      schedule: '*/15 9-17 * * 1-5',
      timeZone: 'UTC',
      requireDeployed: false,
      allow: ['patch'],
      suspend: true,
      selector: {
        matchLabels: { 'app.kubernetes.io/part-of': 'pachyderm' },
        matchExpressions: [{ key: 'tier', operator: 'Exists' }],
      },
    }),
  },
];
