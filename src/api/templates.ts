// Templates in delivery settings (`${application}-${environment}`): only the
// four variables Depot substitutes are allowed, anything else is an error.
import { z } from 'zod';
import { celRegex, withRules, type Rule } from './cel.js';

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

/** A template for a Kubernetes object name or namespace. */
export function nameTemplate(description: string): z.ZodString {
  return withRules(
    z.string().min(1).max(253),
    variablesRule,
    charsetRule('-a-z0-9.', 'may only contain lowercase letters, digits, "-", "." and template variables'),
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
