// Object metadata. The API server owns metadata validation, except that
// Depot requires object names to be RFC 1123 labels (checked at the root of
// each kind, since a CRD may only constrain metadata.name from there).
import { z } from 'zod';
import { celRegex, type Rule } from './cel.js';
import { dnsLabel } from './names.js';

export const ObjectMetaSchema = z
  .looseObject({
    name: z.string().min(1).meta({ description: 'Name, unique per kind in the namespace.' }),
    namespace: z.string().optional(),
    labels: z.record(z.string(), z.string()).optional(),
    annotations: z.record(z.string(), z.string()).optional(),
    uid: z.string().optional(),
    resourceVersion: z.string().optional(),
    generation: z.number().int().optional(),
    creationTimestamp: z.string().optional(),
  })
  .meta({ description: 'Standard object metadata.' });

export type ObjectMeta = z.infer<typeof ObjectMetaSchema>;

const nameRe = new RegExp(dnsLabel.pattern);

/** Names are referenced from other objects, `spec.versions` keys and templates: RFC 1123 labels. */
export const objectNameRule: Rule<{ metadata: { name: string } }> = {
  cel: `self.metadata.name.size() <= ${dnsLabel.maxLength} && self.metadata.name.matches(${celRegex(dnsLabel.pattern)})`,
  check: (obj) => obj.metadata.name.length <= dnsLabel.maxLength && nameRe.test(obj.metadata.name),
  message: dnsLabel.message,
  fieldPath: '.metadata.name',
};
