// docs/crd-reference.md: every spec field of every kind with its type,
// whether it is required, its default and its description, rendered from the
// same structural schemas as the CRDs (so the reference cannot drift).
import { buildCrd, type JsonSchema } from './crd.js';
import { API_VERSION } from './group.js';
import { renderStepTable } from './promotion-steps.js';
import type { KindDefinition } from './resource.js';

function typeOf(s: JsonSchema): string {
  if (s.enum) return (s.enum as unknown[]).map(String).join(' | ');
  if (s['x-kubernetes-int-or-string']) return 'int-or-string';
  if (s.type === 'array') return `[]${typeOf((s.items ?? {}) as JsonSchema)}`;
  if (s.type === 'object' && s.additionalProperties && typeof s.additionalProperties === 'object') {
    return `map[string]${typeOf(s.additionalProperties as JsonSchema)}`;
  }
  return String(s.type ?? 'any');
}

const cell = (text: unknown) =>
  String(text ?? '')
    .replace(/\|/g, '\\|')
    .replace(/\n/g, ' ');

function rows(schema: JsonSchema, path: string, out: string[]): void {
  const props = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((schema.required ?? []) as string[]);
  for (const [name, child] of Object.entries(props)) {
    const field = `${path}.${name}`;
    const def = child.default !== undefined ? `\`${JSON.stringify(child.default)}\`` : '';
    out.push(
      `| \`${field}\` | ${cell(typeOf(child))} | ${required.has(name) ? 'yes' : ''} | ${def} | ${cell(child.description)} |`,
    );
    const inner = child.type === 'array' ? ((child.items ?? {}) as JsonSchema) : child;
    const map =
      inner.type === 'object' && inner.additionalProperties && typeof inner.additionalProperties === 'object';
    const next = map ? (inner.additionalProperties as JsonSchema) : inner;
    const suffix = child.type === 'array' ? '[]' : map ? '.<key>' : '';
    if (next.properties) rows(next, `${field}${suffix}`, out);
  }
}

export function renderReference(kinds: readonly KindDefinition[]): string {
  const out = [
    '# CRD reference',
    '',
    `Generated from \`src/api/\` by \`make crds\`; do not edit. Every kind is \`${API_VERSION}\` and namespaced. \`kubectl explain <plural>.depot.sh.spec\` shows the same text.`,
    '',
  ];
  for (const def of kinds) {
    const crd = buildCrd(def);
    const root = crd.spec.versions[0]!.schema.openAPIV3Schema;
    const props = (root.properties ?? {}) as Record<string, JsonSchema>;
    out.push(
      `## ${def.kind}`,
      '',
      cell(root.description),
      '',
      `Short names: ${def.shortNames.map((n) => `\`${n}\``).join(', ')}; category \`depot\`.`,
      '',
    );
    for (const part of ['spec', 'status'] as const) {
      if (!props[part]) continue;
      out.push('| field | type | required | default | description |', '| --- | --- | --- | --- | --- |');
      rows({ properties: { [part]: props[part]! } } as JsonSchema, '', out);
      out.push('');
    }
    if (def.kind === 'Promotion') out.push(...renderStepTable());
  }
  return `${out.join('\n').replace(/\| `\.(spec|status)/g, '| `$1')}\n`;
}
