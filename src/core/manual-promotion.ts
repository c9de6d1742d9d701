// `depot promote APP ENV [--from ENV]`: which environment a manual promotion
// takes its version from. Without --from: the Promotion whose `to` is ENV,
// else the previous environment in the application's EnvironmentSet order.
import type { Application } from '../api/application.js';
import type { EnvironmentSet } from '../api/environment-set.js';
import type { Environment } from '../api/environment.js';
import type { Promotion } from '../api/promotion.js';
import { resolveEnvironments } from './application/resolution.js';
import { matchesSelector } from '../kube/selector.js';

export type ManualPromotion =
  { ok: true; from: string; to: string; version: string; via: string } | { ok: false; message: string };

export function planManualPromotion(opts: {
  app: Application;
  to: string;
  from?: string;
  promotions: readonly Promotion[];
  sets: ReadonlyMap<string, EnvironmentSet>;
  environments: ReadonlyMap<string, Environment>;
}): ManualPromotion {
  const { app, to } = opts;
  const name = app.metadata.name;
  const { names } = resolveEnvironments(app, opts.sets, opts.environments);
  if (!names.includes(to))
    return { ok: false, message: `${to} is not an environment of ${name} (${names.join(', ') || 'none'})` };

  let from = opts.from;
  let via = '--from';
  if (from === undefined) {
    const promos = opts.promotions.filter(
      (p) => p.spec.to === to && matchesSelector(p.spec.selector, app.metadata.labels),
    );
    if (promos.length > 1) {
      return {
        ok: false,
        message: `several Promotions promote into ${to} (${promos.map((p) => p.metadata.name).join(', ')}): pass --from`,
      };
    }
    if (promos.length === 1) {
      from = promos[0]!.spec.from;
      via = `Promotion ${promos[0]!.metadata.name}`;
    } else {
      const i = names.indexOf(to);
      if (i <= 0) return { ok: false, message: `${to} is the first environment of ${name}: pass --from` };
      from = names[i - 1]!;
      via = 'environment order';
    }
  }
  if (from === to) return { ok: false, message: `--from and the target environment are both ${to}` };
  if (!names.includes(from))
    return { ok: false, message: `${from} is not an environment of ${name} (${names.join(', ')})` };
  const version = app.status?.environments?.find((e) => e.name === from)?.desired;
  if (!version) return { ok: false, message: `no version of ${name} is desired in ${from} yet` };
  return { ok: true, from, to, version, via };
}
