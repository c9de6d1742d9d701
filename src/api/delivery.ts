// How a Target delivers versions: exactly one of argocd, flux, agent, none.
// Applications may override settings per target (`spec.targets`).
import { z } from 'zod';
import { withRules, type Rule } from './cel.js';
import { formatted, httpUrl } from './format.js';
import { apiVersionFormat, dnsSubdomain, kindFormat } from './names.js';
import { oneOf } from './rules.js';
import { nameTemplate, valueTemplate } from './templates.js';

export const ArgocdSetSchema = withRules(
  z.strictObject({
    targetRevision: z.strictObject({}).optional().meta({
      description: "Write the version into the source's targetRevision (the default): `targetRevision: {}`.",
    }),
    helmParameter: valueTemplate(
      'Write the version into this Helm parameter of the source (spec.source.helm.parameters), e.g. image.tag. The Application must also name it in depot.sh/authorized-fields: helm:<parameter>.',
    ).optional(),
    kustomizeImage: valueTemplate(
      "Set the tag of this image in the source's kustomize.images to the version, e.g. ghcr.io/acme/core. The Application must also name it in depot.sh/authorized-fields: kustomize:<image>.",
    ).optional(),
  }),
  oneOf(['targetRevision', 'helmParameter', 'kustomizeImage']),
).meta({
  description: 'What to set to the version: exactly one of targetRevision, helmParameter, kustomizeImage.',
});

// An int-or-string field: the bounds of both branches go on the one CRD node.
const SourceSchema = z.union([z.number().int().min(0), z.string().min(1).max(253)]).meta({
  description: 'For multi-source Applications: which entry of spec.sources to change, by index (0) or name.',
  'x-kubernetes-int-or-string': true,
});

const argocdFields = {
  applicationNamespace: nameTemplate(
    'Namespace of the Argo CD Application, a template that renders to a namespace (default argocd).',
    'namespace',
  ),
  applicationName: nameTemplate(
    'Name of the Argo CD Application, a template (default ${application}); e.g. ${application}-${environment}.',
    'name',
  ),
  set: ArgocdSetSchema,
  source: SourceSchema,
};

export const ArgocdDeliverySchema = z
  .strictObject({
    applicationNamespace: argocdFields.applicationNamespace.default('argocd'),
    applicationName: argocdFields.applicationName.default('${application}'),
    set: argocdFields.set.default({ targetRevision: {} }),
    source: argocdFields.source.optional(),
  })
  .meta({
    description:
      'Write versions into Argo CD Applications. An Application is read and written only if its depot.sh/authorized-targets annotation lists the Target; that allows targetRevision only, any other field also needs depot.sh/authorized-fields (exact names, no wildcards).',
  });

const fieldRule: Rule<string> = {
  cel: "self.startsWith('spec.')",
  check: (v) => v.startsWith('spec.'),
  message: 'must be a field under spec, such as spec.chart.spec.version',
};

const fluxPatchFields = {
  apiVersion: formatted(apiVersionFormat, 'API version of the Flux object, e.g. helm.toolkit.fluxcd.io/v2.'),
  kind: formatted(
    kindFormat,
    'Kind of the Flux object: HelmRelease, OCIRepository, GitRepository, Kustomization, ...',
  ),
  name: nameTemplate('Name of the Flux object, a template, e.g. ${application}.', 'name'),
  namespace: nameTemplate(
    "Namespace of the Flux object, a template (default: the Target's namespace), e.g. flux-system.",
    'namespace',
  ),
  field: withRules(
    valueTemplate(
      "Dotted path of the field that receives the version, e.g. spec.chart.spec.version (HelmRelease), spec.ref.tag (OCIRepository), spec.postBuild.substitute.${application}_version (Kustomization). The object must list the Target in depot.sh/authorized-targets, which allows only the kind's version fields (GitRepository spec.ref.tag/semver/commit/name, OCIRepository spec.ref.tag/semver/digest, HelmRelease spec.chart.spec.version); any other field also needs its rendered path in depot.sh/authorized-fields (exact names, no wildcards).",
    ),
    fieldRule,
  ),
};

export const FluxAppliedBySchema = z
  .strictObject({
    name: nameTemplate('Name of the Kustomization, a template, e.g. ${application}.', 'name'),
    namespace: nameTemplate(
      "Namespace of the Kustomization, a template (default: the patched source's namespace).",
      'namespace',
    ).optional(),
  })
  .meta({
    description:
      'The Flux Kustomization (kustomize.toolkit.fluxcd.io) that applies the patched GitRepository or OCIRepository: the version is recorded deployed only once it reports Ready with the source revision that holds it applied (status.lastAppliedRevision). Without it, deployed is the revision Flux fetched.',
  });

export const FluxPatchSchema = z
  .strictObject({
    apiVersion: fluxPatchFields.apiVersion,
    kind: fluxPatchFields.kind,
    name: fluxPatchFields.name,
    namespace: fluxPatchFields.namespace.optional(),
    field: fluxPatchFields.field,
    appliedBy: FluxAppliedBySchema.optional(),
  })
  .meta({ description: 'Write the version into a field of a Flux object, then request its reconciliation.' });

const receiverUrl = httpUrl('http://notification-controller.flux-system/hook/abc123');

export const SecretKeyRefSchema = z
  .strictObject({
    name: formatted(dnsSubdomain, "Name of the Secret in the Target's namespace."),
    key: formatted(
      {
        pattern: '^[-._a-zA-Z0-9]+$',
        maxLength: 253,
        message: 'must be a Secret key: letters, digits, "-", "_" and "."',
      },
      'Key in the Secret that holds the token (default token).',
    ).default('token'),
  })
  .meta({ description: 'A key of a Secret.' });

type Receiver = { type: 'generic' | 'generic-hmac'; secretRef?: unknown };
const hmacNeedsSecret: Rule<Receiver> = {
  cel: "self.type != 'generic-hmac' || has(self.secretRef)",
  check: (r) => r.type !== 'generic-hmac' || r.secretRef !== undefined,
  message: 'secretRef is required when type is generic-hmac (the token signs the request)',
  fieldPath: '.secretRef',
  reason: 'FieldValueRequired',
};

export const FluxReceiverSchema = withRules(
  z.strictObject({
    url: formatted(
      receiverUrl,
      "URL of the Flux Receiver (its status.webhookPath on notification-controller); must match the operator's allow-list.",
    ),
    type: z.enum(['generic', 'generic-hmac']).default('generic').meta({
      description: 'generic (no signature) or generic-hmac (X-Signature: sha256=<hex HMAC of the body>).',
    }),
    secretRef: SecretKeyRefSchema.optional().meta({
      description: 'Secret holding the Receiver token (needed for generic-hmac).',
    }),
  }),
  hmacNeedsSecret,
).meta({ description: 'POST {application, environment, target, version} to a Flux Receiver.' });

export const FluxDeliverySchema = withRules(
  z.strictObject({ patch: FluxPatchSchema.optional(), receiver: FluxReceiverSchema.optional() }),
  {
    cel: 'has(self.patch) || has(self.receiver)',
    check: (f) => f.patch !== undefined || f.receiver !== undefined,
    message: 'at least one of patch and receiver must be set',
  },
).meta({ description: 'Deliver through Flux: patch a Flux object, call a Receiver, or both.' });

export const DeliverySchema = withRules(
  z.strictObject({
    argocd: ArgocdDeliverySchema.optional(),
    flux: FluxDeliverySchema.optional(),
    agent: z.strictObject({}).optional().meta({
      description:
        "A depot agent in the remote cluster pulls its versions from Depot's HTTP API: `agent: {}`.",
    }),
    none: z
      .strictObject({})
      .optional()
      .meta({ description: 'Versions are only published (API, CLI, status): `none: {}`.' }),
  }),
  oneOf(['argocd', 'flux', 'agent', 'none']),
).meta({
  description: 'How versions reach this target: exactly one of argocd, flux, agent, none (default none).',
});

export const DeliveryOverrideSchema = withRules(
  z.strictObject({
    argocd: z
      .strictObject({
        applicationNamespace: argocdFields.applicationNamespace.optional(),
        applicationName: argocdFields.applicationName.optional(),
        set: argocdFields.set.optional(),
        source: argocdFields.source.optional(),
      })
      .optional()
      .meta({ description: "Argo CD settings that replace the Target's for this application." }),
    flux: z
      .strictObject({
        patch: z
          .strictObject({
            apiVersion: fluxPatchFields.apiVersion.optional(),
            kind: fluxPatchFields.kind.optional(),
            name: fluxPatchFields.name.optional(),
            namespace: fluxPatchFields.namespace.optional(),
            field: fluxPatchFields.field.optional(),
            appliedBy: FluxAppliedBySchema.optional(),
          })
          .optional()
          .meta({ description: "Flux patch settings that replace the Target's for this application." }),
      })
      .optional()
      .meta({ description: "Flux settings that replace the Target's for this application." }),
  }),
  oneOf(['argocd', 'flux'], { atMostOne: true }),
).meta({
  description:
    "Per-application delivery settings for one target, merged over the Target's own (of the same kind), e.g. {argocd: {applicationName: pachyderm-ide}}.",
});

export type Delivery = z.infer<typeof DeliverySchema>;
export type DeliveryKind = keyof Delivery;
export type ArgocdDelivery = z.infer<typeof ArgocdDeliverySchema>;
export type FluxDelivery = z.infer<typeof FluxDeliverySchema>;
export type FluxPatch = z.infer<typeof FluxPatchSchema>;
export type FluxReceiver = z.infer<typeof FluxReceiverSchema>;
export type DeliveryOverride = z.infer<typeof DeliveryOverrideSchema>;
export const DELIVERY_KINDS = ['argocd', 'flux', 'agent', 'none'] as const satisfies readonly DeliveryKind[];
/** The delivery kinds the operator itself writes; each can be switched off (`depot operator --integrations`). */
export const INTEGRATION_KINDS = ['argocd', 'flux'] as const satisfies readonly DeliveryKind[];
export type IntegrationKind = (typeof INTEGRATION_KINDS)[number];
