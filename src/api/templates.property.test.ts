// Properties of delivery templates: a template of literal parts and
// variables is accepted and renders to its parts with the values filled in;
// checking and rendering take time linear in the template (issue 23).
import fc from 'fast-check';
import { growthOfRepeated } from '../kube/testing/growth.js';
import {
  nameTemplate,
  renderTemplate,
  shortestRendering,
  TEMPLATE_VARIABLES,
  valueTemplate,
} from './templates.js';

const nameSchema = nameTemplate('test', 'name');
const valueSchema = valueTemplate('test');
const values = { application: 'core', environment: 'prod', target: 'eu-1', namespace: 'team-a' };

const label = fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,8}[a-z0-9])?$/);
const variable = fc.constantFrom(...TEMPLATE_VARIABLES);
/** Dot-separated parts, each a label, a variable, or a variable between literal letters. */
const part = fc.oneof(
  label.map((text) => ({ text, rendered: text })),
  fc.tuple(label, variable, label).map(([a, v, b]) => ({
    text: `${a}-\${${v}}-${b}`,
    rendered: `${a}-${values[v]}-${b}`,
  })),
  variable.map((v) => ({ text: `\${${v}}`, rendered: values[v] })),
);
const template = fc.array(part, { minLength: 1, maxLength: 4 }).map((parts) => ({
  text: parts.map((p) => p.text).join('.'),
  rendered: parts.map((p) => p.rendered).join('.'),
}));

test('a name template of labels and variables is accepted and renders to its parts', () => {
  fc.assert(
    fc.property(template, ({ text, rendered }) => {
      expect(nameSchema.safeParse(text).success).toBe(true);
      expect(renderTemplate(text, values)).toBe(rendered);
      expect(shortestRendering(text)).not.toContain('$');
    }),
  );
});

test.each(['..', '.', '${application}.', '.${namespace}', 'a..${target}', '-${application}'])(
  'the name template "%s" can never render to a name and is refused',
  (text) => expect(nameSchema.safeParse(text).success).toBe(false),
);

const check = (text: string) => [nameSchema.safeParse(text).success, valueSchema.safeParse(text).success];
const render = (text: string) => renderTemplate(text, values);

test.each([
  ['"${" repeated, then "!"', '${', '!'],
  ['"${application}" repeated, then "!"', '${application}', '!'],
  ['"${app" repeated', '${app', ''],
  ['"a." repeated, then "-"', 'a.', '-'],
  ['"$" repeated, then "}"', '$', '}'],
])('checking and rendering grow linearly: %s', (_what, unit, tail) => {
  expect(growthOfRepeated(check, unit, tail)).toEqual(expect.objectContaining({ linear: true }));
  expect(growthOfRepeated(render, unit, tail)).toEqual(expect.objectContaining({ linear: true }));
});
