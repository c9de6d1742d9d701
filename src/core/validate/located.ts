// Lookups among the objects of the given files, per namespace (references
// between Depot objects are by name within one namespace).
import type { Located } from './catalog.js';
import type { Problem } from './problem.js';

export type Lookup<T> = (namespace: string, name: string) => Located<T> | undefined;

export function lookup<T>(list: Located<T>[]): Lookup<T> {
  const byKey = new Map<string, Located<T>>();
  for (const obj of list)
    if (!byKey.has(`${obj.namespace}/${obj.name}`)) byKey.set(`${obj.namespace}/${obj.name}`, obj);
  return (namespace, name) => byKey.get(`${namespace}/${name}`);
}

export function problemAt(obj: Located<unknown>, kind: string, path: string, message: string): Problem {
  return { file: obj.file, document: obj.document, line: obj.line, kind, name: obj.name, path, message };
}

/** Objects grouped by namespace. */
export function byNamespace<T>(list: Located<T>[]): Map<string, Located<T>[]> {
  const groups = new Map<string, Located<T>[]>();
  for (const obj of list) groups.set(obj.namespace, [...(groups.get(obj.namespace) ?? []), obj]);
  return groups;
}
