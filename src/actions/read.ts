// Reads for the actions: parsed, defaulted objects, tolerant of what a newer
// Depot wrote (api/tolerant.ts), and writes retried while they conflict.
import type { Application } from '../api/application.js';
import { ApplicationSchema } from '../api/application.js';
import { EnvironmentSetSchema, type EnvironmentSet } from '../api/environment-set.js';
import type { Environment } from '../api/environment.js';
import type { Promotion } from '../api/promotion.js';
import { PromotionSchema } from '../api/promotion.js';
import { EnvironmentSchema } from '../api/environment.js';
import { Applications, EnvironmentSets, Environments, Promotions } from '../api/resources.js';
import { parseTolerant } from '../api/tolerant.js';
import { isConflict } from '../kube/errors.js';
import type { KubeObject, ResourceType } from '../kube/resource.js';
import type { z } from 'zod';
import { conflict, invalid, notFound } from './errors.js';
import type { ActionContext } from './port.js';

const kindName = (resource: ResourceType) => resource.kind.toLowerCase();

/** The object parsed with `schema`; one this Depot cannot read is refused naming the first problem. */
export function parsedObject<S extends z.ZodType>(
  schema: S,
  resource: ResourceType,
  raw: KubeObject,
): z.output<S> {
  const parsed = parseTolerant(schema, raw);
  if (parsed.ok) return parsed.value;
  const p = parsed.problems[0]!;
  throw invalid(
    `${kindName(resource)} "${raw.metadata?.name}" cannot be read: ${p.path ? `${p.path}: ` : ''}${p.message}`,
  );
}

export async function readObject<S extends z.ZodType>(
  ctx: ActionContext,
  resource: ResourceType,
  schema: S,
  name: string,
  fresh = false,
): Promise<z.output<S>> {
  return parsedObject(schema, resource, await readRaw(ctx, resource, name, fresh));
}

/** The object as the API server has it (for a list written whole: what a newer Depot added is kept). */
export async function readRaw(
  ctx: ActionContext,
  resource: ResourceType,
  name: string,
  fresh = false,
): Promise<KubeObject> {
  const raw = await ctx.port.get(resource, ctx.namespace, name, { fresh });
  if (!raw) throw notFound(`${kindName(resource)} "${name}" not found in namespace ${ctx.namespace}`);
  return raw;
}

export const readApplication = (ctx: ActionContext, name: string, fresh = false): Promise<Application> =>
  readObject(ctx, Applications, ApplicationSchema, name, fresh);

export const readPromotion = (ctx: ActionContext, name: string, fresh = false): Promise<Promotion> =>
  readObject(ctx, Promotions, PromotionSchema, name, fresh);

/** Every object of a kind that parses; one that does not is left out (the operator reports it). */
async function listParsed<S extends z.ZodType>(
  ctx: ActionContext,
  resource: ResourceType,
  schema: S,
): Promise<z.output<S>[]> {
  const out: z.output<S>[] = [];
  for (const raw of await ctx.port.list(resource, ctx.namespace)) {
    const parsed = parseTolerant(schema, raw);
    if (parsed.ok) out.push(parsed.value);
  }
  return out;
}

export const listApplications = (ctx: ActionContext): Promise<Application[]> =>
  listParsed(ctx, Applications, ApplicationSchema);
export const listPromotions = (ctx: ActionContext): Promise<Promotion[]> =>
  listParsed(ctx, Promotions, PromotionSchema);
export const listEnvironments = (ctx: ActionContext): Promise<Environment[]> =>
  listParsed(ctx, Environments, EnvironmentSchema);
/** The namespace's EnvironmentSets by name, and the names of those this Depot cannot read. */
export async function readEnvironmentSets(
  ctx: ActionContext,
): Promise<{ valid: Map<string, EnvironmentSet>; invalid: Set<string> }> {
  const valid = new Map<string, EnvironmentSet>();
  const invalidSets = new Set<string>();
  for (const raw of await ctx.port.list(EnvironmentSets, ctx.namespace)) {
    const parsed = parseTolerant(EnvironmentSetSchema, raw);
    if (parsed.ok) valid.set(parsed.value.metadata.name, parsed.value);
    else invalidSets.add(raw.metadata!.name!);
  }
  return { valid, invalid: invalidSets };
}

export const conflictAttempts = 5;

/**
 * Runs check → plan → guarded write again while the write conflicts (409:
 * the object changed since it was read); `fresh` is true after a conflict.
 */
export async function retryOnConflict<T>(what: string, fn: (fresh: boolean) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt > 1);
    } catch (err) {
      if (!isConflict(err)) throw err;
      if (attempt >= conflictAttempts)
        throw conflict(`${what} changed during each of ${conflictAttempts} attempts to write it: try again`);
    }
  }
}
