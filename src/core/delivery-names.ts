// The namespaces and names a delivery renders from its templates, checked
// before anything is read or written: a value such as ".." would become a
// path segment of the request (`namespaces/../applications`, a cluster-wide
// list). Admission refuses templates that can never render to a name; this
// checks each rendered value, and names the template, where it is set and
// what it rendered to.
import type { Application } from '../api/application.js';
import type { Delivery } from '../api/delivery.js';
import { matchesFormat } from '../api/names.js';
import type { Target } from '../api/target.js';
import { NAME_FORMATS, type NameKind } from '../api/templates.js';
import { expandTemplate, templateValues, type TemplateValues } from './delivery.js';

/** One rendered namespace or name of a delivery. */
export interface RenderedName {
  /** The setting, e.g. `argocd.applicationNamespace`, `flux.patch.appliedBy.name`. */
  setting: string;
  template: string;
  value: string;
  kind: NameKind;
}

interface Setting {
  setting: string;
  template: string | undefined;
  kind: NameKind;
}

function settingsOf(delivery: Partial<Delivery>, values: TemplateValues): Setting[] {
  const argocd = delivery.argocd;
  const patch = delivery.flux?.patch;
  return [
    ...(argocd
      ? [
          {
            setting: 'argocd.applicationNamespace',
            template: argocd.applicationNamespace ?? 'argocd',
            kind: 'namespace' as const,
          },
          {
            setting: 'argocd.applicationName',
            template: argocd.applicationName ?? '${application}',
            kind: 'name' as const,
          },
        ]
      : []),
    ...(patch
      ? [
          {
            setting: 'flux.patch.namespace',
            template: patch.namespace ?? values.namespace,
            kind: 'namespace',
          },
          { setting: 'flux.patch.name', template: patch.name, kind: 'name' },
          ...(patch.appliedBy
            ? [
                {
                  setting: 'flux.patch.appliedBy.namespace',
                  template: patch.appliedBy.namespace,
                  kind: 'namespace',
                },
                { setting: 'flux.patch.appliedBy.name', template: patch.appliedBy.name, kind: 'name' },
              ]
            : []),
        ]
      : []),
  ] as Setting[];
}

/** Every namespace and name the delivery renders (settings left unset fall back to one that is checked). */
export function renderedNames(delivery: Partial<Delivery>, values: TemplateValues): RenderedName[] {
  return settingsOf(delivery, values).flatMap((s) =>
    s.template === undefined
      ? []
      : [
          {
            setting: s.setting,
            template: s.template,
            value: expandTemplate(s.template, values),
            kind: s.kind,
          },
        ],
  );
}

/** Where a setting is written: the Application's override of the target, else the Target. */
function origin(setting: string, app: Application, target: Target): string {
  const [kind, ...rest] = setting.split('.');
  let override: unknown = app.spec.targets?.[target.metadata.name];
  for (const key of [kind!, ...rest]) override = (override as Record<string, unknown> | undefined)?.[key];
  return override !== undefined
    ? `Application ${app.metadata.name} spec.targets.${target.metadata.name}.${setting}`
    : `Target ${target.metadata.name} spec.delivery.${setting}`;
}

/**
 * Why the delivery of `app` to `target` renders an invalid namespace or name,
 * one message per bad value; empty when every value is valid.
 */
export function deliveryNameProblems(
  app: Application,
  target: Target,
  environment: string,
  delivery: Partial<Delivery>,
): string[] {
  const values = templateValues(app, environment, target);
  return renderedNames(delivery, values)
    .filter((n) => !matchesFormat(NAME_FORMATS[n.kind], n.value))
    .map(
      (n) =>
        `${origin(n.setting, app, target)} "${n.template}" renders to "${n.value}", which is not valid: it ${NAME_FORMATS[n.kind].message}`,
    );
}
