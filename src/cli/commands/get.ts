// `depot get applications|environments|targets|promotions` and `depot history APP`.
import chalk from 'chalk';
import Table from 'cli-table3';
import type { Command } from 'commander';
import type { Application } from '../../api/application.js';
import type { Condition } from '../../api/conditions.js';
import type { Environment } from '../../api/environment.js';
import type { Promotion } from '../../api/promotion.js';
import type { Target } from '../../api/target.js';
import { deliveryKind } from '../../core/delivery.js';
import { DepotClient } from '../../client/depot-client.js';
import { DEPOT_RESOURCES } from '../../api/resources.js';
import { addClusterOptions, type ClusterOptions } from '../cluster-options.js';
import { UserError } from '../errors.js';
import { parseOutput, printMachine, type OutputFormat } from '../render/output.js';
import { renderVersionTable } from '../render/version-table.js';
import { HISTORY_HEAD, historyRow, PROMOTION_HEAD, promotionRow } from '../render/promotion-table.js';
import { ConditionType } from '../../api/conditions.js';
import { printShards } from './shards.js';

const KINDS: Record<string, string> = {
  applications: 'applications',
  application: 'applications',
  apps: 'applications',
  dapp: 'applications',
  environments: 'environments',
  environment: 'environments',
  envs: 'environments',
  denv: 'environments',
  targets: 'targets',
  target: 'targets',
  dtarget: 'targets',
  promotions: 'promotions',
  promotion: 'promotions',
  dpromo: 'promotions',
};

const ready = (conditions: Condition[] | undefined) => {
  const c = conditions?.find((x) => x.type === ConditionType.Ready);
  return c ? (c.status === 'True' ? 'True' : `${c.status} (${c.reason})`) : 'Unknown';
};

const colors = (kind: 'blocked' | 'drift' | 'ok' | 'dim', text: string) =>
  kind === 'blocked'
    ? chalk.yellow(text)
    : kind === 'drift'
      ? chalk.red(text)
      : kind === 'dim'
        ? chalk.dim(text)
        : chalk.green(text);

function table(head: string[], rows: string[][]): string {
  const t = new Table({
    head,
    style: { head: [], border: [] },
    chars: {
      top: '',
      'top-mid': '',
      'top-left': '',
      'top-right': '',
      bottom: '',
      'bottom-mid': '',
      'bottom-left': '',
      'bottom-right': '',
      left: '',
      'left-mid': '',
      mid: '',
      'mid-mid': '',
      right: '',
      'right-mid': '',
      middle: '  ',
    },
  });
  t.push(...rows);
  return t.toString();
}

export function registerGet(program: Command): void {
  addClusterOptions(
    program
      .command('get')
      .description(
        'list applications (an application × environment version table), environments, targets, promotions, or shards (which shard holds which namespace)',
      )
      .argument('<kind>', 'applications | environments | targets | promotions | shards')
      .option('-o, --output <format>', 'table | wide | json | yaml', 'table')
      .option('--operator-namespace <ns>', "shards: the operator's namespace (its Leases)", 'depot-system'),
  ).action(async (kindArg: string, opts: ClusterOptions & { output: string; operatorNamespace: string }) => {
    const format = parseOutput(opts.output);
    if (['shards', 'shard'].includes(kindArg.toLowerCase())) return printShards(opts, format, table);
    const kind = KINDS[kindArg.toLowerCase()];
    if (!kind)
      throw new UserError(
        `unknown kind "${kindArg}": use applications, environments, targets, promotions or shards`,
      );
    const resource = DEPOT_RESOURCES.find((r) => r.plural === kind)!;
    const items = await DepotClient.connect(opts).list<Application | Environment | Target | Promotion>(
      resource,
    );
    if (printMachine(format, items)) return;
    process.stdout.write(`${render(kind, items, format)}\n`);
  });

  addClusterOptions(
    program
      .command('history')
      .description('the audit trail of APP, newest first')
      .argument('<app>', 'Application name')
      .option('--limit <n>', 'show at most n entries', (v) => Number(v), 50)
      .option('-o, --output <format>', 'table | json | yaml', 'table'),
  ).action(async (name: string, opts: ClusterOptions & { output: string; limit: number }) => {
    const format: OutputFormat = parseOutput(opts.output);
    if (!Number.isInteger(opts.limit) || opts.limit < 1)
      throw new UserError('--limit must be a positive whole number');
    const app = await DepotClient.connect(opts).application(name);
    const history = (app.status?.history ?? []).slice(0, opts.limit);
    if (printMachine(format, history)) return;
    if (history.length === 0) {
      process.stdout.write(`no history for ${name} yet\n`);
      return;
    }
    process.stdout.write(
      `${table(
        HISTORY_HEAD,
        history.map((h) => historyRow(h, colors)),
      )}\n`,
    );
  });
}

function render(kind: string, items: unknown[], format: OutputFormat): string {
  if (items.length === 0) return `no ${kind} in this namespace`;
  switch (kind) {
    case 'applications':
      return renderVersionTable(items as Application[], { wide: format === 'wide', color: colors });
    case 'environments':
      return table(
        ['NAME', 'TARGETS', 'FROZEN', 'READY'],
        (items as Environment[]).map((e) => [
          e.metadata.name,
          (e.status?.targets ?? []).join(',') || '-',
          e.status?.conditions?.find((c) => c.type === ConditionType.Frozen)?.status === 'True'
            ? 'yes'
            : 'no',
          ready(e.status?.conditions),
        ]),
      );
    case 'targets':
      return table(
        ['NAME', 'ENVIRONMENT', 'DELIVERY', 'READY'],
        (items as Target[]).map((t) => [
          t.metadata.name,
          t.spec.environment,
          deliveryKind(t),
          ready(t.status?.conditions),
        ]),
      );
    default:
      return table(
        PROMOTION_HEAD,
        (items as Promotion[]).map((p) => promotionRow(p, ready(p.status?.conditions), format === 'wide')),
      );
  }
}
