// Lists and maps with the bounds and merge semantics Kubernetes needs: keyed
// lists (`x-kubernetes-list-type: map`), sets, and string-keyed maps whose
// keys are checked by a CEL rule (a CRD schema cannot constrain map keys).
import { z } from 'zod';
import { celRegex, withRules, type Rule } from './cel.js';
import type { StringFormat } from './format.js';

/** A list keyed by the given fields: server-side apply merges entries by key, duplicates are rejected. */
export function listMap<T extends z.ZodObject>(
  item: T,
  keys: (keyof z.output<T> & string)[],
  maxItems: number,
) {
  return z
    .array(item)
    .max(maxItems)
    .superRefine((list, ctx) => {
      const seen = new Set<string>();
      list.forEach((entry, i) => {
        const id = JSON.stringify(keys.map((k) => (entry as Record<string, unknown>)[k]));
        if (seen.has(id))
          ctx.addIssue({
            code: 'custom',
            message: `Duplicate value: ${id.slice(1, -1)}`,
            path: [i],
            input: entry,
          });
        seen.add(id);
      });
    })
    .meta({ 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': keys });
}

/** A list of unique scalar values (order kept). */
export function listSet<T extends z.ZodString | z.ZodEnum>(item: T, maxItems: number) {
  return z
    .array(item)
    .max(maxItems)
    .superRefine((list, ctx) => {
      list.forEach((entry, i) => {
        if (list.indexOf(entry) !== i)
          ctx.addIssue({
            code: 'custom',
            message: `Duplicate value: "${String(entry)}"`,
            path: [i],
            input: entry,
          });
      });
    })
    .meta({ 'x-kubernetes-list-type': 'set' });
}

/** An ordered list whose entries must be unique but whose order a single owner sets (atomic for apply). */
export function uniqueList<T extends z.ZodString>(item: T, minItems: number, maxItems: number, what: string) {
  const rule: Rule<string[]> = {
    cel: 'self.all(x, self.exists_one(y, y == x))',
    check: (list) => list.flatMap((v, i) => (list.indexOf(v) !== i ? [[i]] : [])),
    message: `must not name the same ${what} twice`,
  };
  return withRules(z.array(item).min(minItems).max(maxItems), rule).meta({
    'x-kubernetes-list-type': 'atomic',
  });
}

/** A map from keys of the given format to values; at most maxProperties entries. */
export function mapOf<V extends z.ZodType>(
  key: StringFormat,
  value: V,
  maxProperties: number,
  keyMessage: string,
) {
  const re = new RegExp(key.pattern);
  const keysRule: Rule<Record<string, z.output<V>>> = {
    cel: `self.all(k, k.size() <= ${key.maxLength} && k.matches(${celRegex(key.pattern)}))`,
    check: (map) => Object.keys(map).flatMap((k) => (k.length <= key.maxLength && re.test(k) ? [] : [[k]])),
    message: `${keyMessage} ${key.message}`,
  };
  // maxProperties is enforced by the API server from the CRD; zod mirrors it here.
  return withRules(z.record(z.string(), value), keysRule)
    .superRefine((map, ctx) => {
      if (Object.keys(map).length > maxProperties) {
        ctx.addIssue({ code: 'custom', message: `must have at most ${maxProperties} entries`, input: map });
      }
    })
    .meta({ maxProperties });
}
