// The application × environment table: desired version per cell, marked
// when a request is blocked or a target reports a different version (drift).
import Table from 'cli-table3';
import type { Application } from '../../api/application.js';
import { compatibilityMatrix, type MatrixCell } from '../../core/compatibility/questions.js';
import { versionsFor } from '../../core/versions.js';

export interface VersionTableOptions {
  /** Show requested versions and per-target deployed versions too. */
  wide?: boolean;
  color?: (kind: 'blocked' | 'drift' | 'ok' | 'dim', text: string) => string;
}

/** Environment columns: in the order applications list them, first seen first. */
export function environmentColumns(apps: readonly Application[]): string[] {
  const cols: string[] = [];
  for (const a of apps)
    for (const e of a.status?.environments ?? []) if (!cols.includes(e.name)) cols.push(e.name);
  return cols;
}

export function cellFor(
  app: Application,
  env: string,
  opts: VersionTableOptions = {},
  rules?: MatrixCell,
): string {
  const paint = opts.color ?? ((_k, t) => t);
  const e = app.status?.environments?.find((x) => x.name === env);
  if (!e) return paint('dim', app.spec.versions?.[env] ? `${app.spec.versions[env]} (pending)` : '');
  const v = versionsFor(app);
  let cell = e.desired ?? '-';
  // A rejected version still running here: someone should roll it back.
  if (e.desired !== undefined && app.status?.rejectedVersions?.some((r) => v.same(r.version, e.desired)))
    cell += ' ' + paint('drift', 'REJECTED');
  if (e.blocked) cell += ' ' + paint('blocked', `(${e.requested} ${e.blocked.reason})`);
  const targets = (app.status?.targets ?? []).filter((t) => t.environment === env);
  const drift = targets.filter((t) => t.deployed !== undefined && !v.same(t.deployed, e.desired));
  if (drift.length > 0)
    cell += ' ' + paint('drift', `drift: ${drift.map((t) => `${t.name}=${t.deployed}`).join(',')}`);
  if (opts.wide) {
    const deployed = targets.map((t) => `${t.name}=${t.deployed ?? '?'}`).join(' ');
    if (deployed) cell += `\n${paint('dim', deployed)}`;
    // The compatibility matrix: whether the rules of this version hold against the environment.
    if (rules && e.desired !== undefined)
      cell += `\n${rules.rulesHold ? paint('ok', 'rules hold') : paint('drift', `breaks: ${rules.broken.join('; ')}`)}`;
  }
  return cell;
}

export function renderVersionTable(apps: readonly Application[], opts: VersionTableOptions = {}): string {
  const envs = environmentColumns(apps);
  const table = new Table({
    head: ['APPLICATION', ...envs.map((e) => e.toUpperCase())],
    style: { head: [], border: [] },
  });
  const matrix = opts.wide
    ? new Map(
        compatibilityMatrix(apps).map((r) => [
          r.environment,
          new Map(r.applications.map((c) => [c.application, c])),
        ]),
      )
    : undefined;
  for (const app of [...apps].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))) {
    const name = app.metadata.name;
    table.push([name, ...envs.map((env) => cellFor(app, env, opts, matrix?.get(env)?.get(name)))]);
  }
  return table.toString();
}
