// `depot compat APP --with APP@V [--env ENV]` (which versions of an add-on
// work with this core) and `depot check APP@V... [--env ENV]` (do these
// versions work together; exit code 0 SUCCESS, 1 CONFLICT),
// answered from the Applications in the cluster.
import type { Command } from 'commander';
import { stringify } from 'yaml';
import type { Application } from '../../api/application.js';
import { Applications } from '../../api/resources.js';
import { DepotClient } from '../../client/depot-client.js';
import {
  checkVersions,
  compatibleVersions,
  parseVersionRef,
  QuestionError,
  type VersionRef,
} from '../../core/compatibility/questions.js';
import { addClusterOptions, type ClusterOptions } from '../cluster-options.js';
import { UserError } from '../errors.js';

const FORMATS = ['text', 'json', 'yaml'] as const;
type Format = (typeof FORMATS)[number];

function format(value: string): Format {
  if ((FORMATS as readonly string[]).includes(value)) return value as Format;
  throw new UserError(`-o must be one of ${FORMATS.join(', ')}, got "${value}"`);
}

function refs(values: readonly string[]): VersionRef[] {
  return values.map((v) => {
    const r = parseVersionRef(v);
    if (typeof r === 'string') throw new UserError(r);
    return r;
  });
}

/** Runs a question, turning its errors into one line. */
function answer<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof QuestionError) throw new UserError(err.message);
    throw err;
  }
}

const collect = (value: string, previous: string[]) => [...previous, value];

export function registerCompatCommands(program: Command): void {
  addClusterOptions(
    program
      .command('compat')
      .description(
        'the known versions of APP that work with the given versions (and, with --env, with what ENV runs), newest first',
      )
      .argument('<app>', 'Application name, e.g. dash')
      .option(
        '--with <app@version>',
        'a version it must work with, e.g. core@1.11.0 (repeatable)',
        collect,
        [],
      )
      .option('--env <environment>', 'also with what this environment runs')
      .option('-o, --output <format>', 'text (one version per line) | json | yaml', 'text'),
  ).action(async (name: string, opts: ClusterOptions & { with: string[]; env?: string; output: string }) => {
    const out = format(opts.output);
    const given = refs(opts.with);
    if (given.length === 0 && opts.env === undefined)
      throw new UserError('name what it must work with: --with APP@VERSION and/or --env ENVIRONMENT');
    const applications = await DepotClient.connect(opts).list<Application>(Applications);
    const result = answer(() =>
      compatibleVersions({ applications, ...(opts.env ? { environment: opts.env } : {}) }, name, given),
    );
    if (out === 'json') process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    else if (out === 'yaml') process.stdout.write(stringify(result));
    else process.stdout.write(result.versions.map((v) => `${v.version}\n`).join(''));
  });

  addClusterOptions(
    program
      .command('check')
      .description(
        'whether the given versions work together: SUCCESS (exit 0) or CONFLICT with every broken rule (exit 1)',
      )
      .argument('<versions...>', 'APP@VERSION, e.g. core@1.11.0 dash@2.0.0')
      .option('--env <environment>', 'with what else this environment runs')
      .option('-o, --output <format>', 'text | json | yaml', 'text'),
  ).action(async (values: string[], opts: ClusterOptions & { env?: string; output: string }) => {
    const out = format(opts.output);
    const given = refs(values);
    const applications = await DepotClient.connect(opts).list<Application>(Applications);
    const result = answer(() =>
      checkVersions({ applications, ...(opts.env ? { environment: opts.env } : {}) }, given),
    );
    if (out === 'json') process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    else if (out === 'yaml') process.stdout.write(stringify(result));
    else {
      process.stdout.write(`${result.result}\n`);
      for (const c of result.conflicts) process.stdout.write(`  ${c.message}\n`);
      for (const u of result.unchecked) process.stdout.write(`  not checked: ${u}\n`);
    }
    if (result.result === 'CONFLICT') process.exitCode = 1;
  });
}
