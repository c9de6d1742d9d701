// Templates in delivery settings (`${application}-${environment}`): only the
// four variables Depot substitutes are allowed, anything else is an error.
import { z } from 'zod';
import { celRegex, celString, withRules, type Rule } from './cel.js';
import type { StringFormat } from './format.js';
import { matchesFormat, namespaceName, objectName } from './names.js';

export const TEMPLATE_VARIABLES = ['application', 'environment', 'target', 'namespace'] as const;
export type TemplateVariable = (typeof TEMPLATE_VARIABLES)[number];

const variable = `\\$\\{(${TEMPLATE_VARIABLES.join('|')})\\}`;
const onlyKnownVariables = `^([^$]|${variable})*$`;

const variablesRule: Rule<string> = {
  cel: `self.matches(${celRegex(onlyKnownVariables)})`,
  check: (v) => new RegExp(onlyKnownVariables).test(v),
  message: 'may only use the template variables ${application}, ${environment}, ${target} and ${namespace}',
};

/** Characters outside variables; a name template must render to a Kubernetes name. */
function charsetRule(chars: string, message: string): Rule<string> {
  const pattern = `^([${chars}]|\\$\\{[^}]*\\})*$`;
  return { cel: `self.matches(${celRegex(pattern)})`, check: (v) => new RegExp(pattern).test(v), message };
}

/** What a name template must render to: a namespace (RFC 1123 label) or an object name (subdomain). */
export type NameKind = 'namespace' | 'name';
export const NAME_FORMATS: Record<NameKind, StringFormat> = { namespace: namespaceName, name: objectName };

/**
 * The template with every variable replaced by "a". Variables render to
 * Depot names (RFC 1123 labels: non-empty, no dots, starting and ending with
 * a letter or digit), so a template renders to a valid name for some values
 * exactly when this does; only the length then depends on the values.
 */
export function shortestRendering(template: string): string {
  return TEMPLATE_VARIABLES.reduce((t, name) => t.replaceAll(`\${${name}}`, 'a'), template);
}

const celShortestRendering = TEMPLATE_VARIABLES.reduce(
  (expr, name) => `${expr}.replace(${celString(`\${${name}}`)}, 'a')`,
  'self',
);

/**
 * A name template that can never render to a valid name is refused at
 * admission: a literal "..", or "${application}." (checked on the shortest
 * rendering; the controller checks each rendered value again).
 */
function renderableRule(kind: NameKind): Rule<string> {
  const format = NAME_FORMATS[kind];
  return {
    cel:
      `!self.matches(${celRegex(onlyKnownVariables)}) || ` +
      `(${celShortestRendering}.size() <= ${format.maxLength} && ${celShortestRendering}.matches(${celRegex(format.pattern)}))`,
    check: (v) => !new RegExp(onlyKnownVariables).test(v) || matchesFormat(format, shortestRendering(v)),
    message: `${format.message}; template variables render to names such as "a"`,
  };
}

/** A template for a Kubernetes object name or namespace. */
export function nameTemplate(description: string, kind: NameKind): z.ZodString {
  return withRules(
    z.string().min(1).max(253),
    variablesRule,
    charsetRule('-a-z0-9.', 'may only contain lowercase letters, digits, "-", "." and template variables'),
    renderableRule(kind),
  ).meta({ description });
}

/** A template for a dotted field path, Helm parameter name or image name. */
export function valueTemplate(description: string): z.ZodString {
  return withRules(
    z.string().min(1).max(512),
    variablesRule,
    charsetRule(
      '-A-Za-z0-9_./:@\\[\\]',
      'may only contain letters, digits, "-_./:@[]" and template variables',
    ),
  ).meta({ description });
}

/** Renders a template; unknown variables are left as they are (admission rejects them). */
export function renderTemplate(template: string, values: Record<TemplateVariable, string>): string {
  return template.replace(new RegExp(variable, 'g'), (_all, name: TemplateVariable) => values[name]);
}
