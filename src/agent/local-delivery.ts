// How an agent delivers in its own cluster: the Target's `delivery` written
// for this cluster (argocd or flux, the same schema as Target.spec.delivery),
// from a YAML file, or the Argo CD defaults from flags. The hub's
// Application overrides for the target merge over it as in the operator.
import { parse as parseYaml } from 'yaml';
import { DeliverySchema, type Delivery } from '../api/delivery.js';
import { parseWith } from '../api/parse.js';

/** The delivery settings in a file, or the one-line reason they are not valid (naming the field). */
export function parseLocalDelivery(text: string, file: string): Delivery | string {
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch (err) {
    return `${file}: not YAML: ${(err as Error).message.split('\n')[0]}`;
  }
  const parsed = parseWith(DeliverySchema, data ?? {});
  if (!parsed.ok) {
    const p = parsed.problems[0]!;
    return `${file}: ${p.path ? `${p.path}: ` : ''}${p.message}`;
  }
  if (parsed.value.agent) return `${file}: agent: an agent delivers with argocd, flux or none, not agent`;
  return parsed.value;
}
