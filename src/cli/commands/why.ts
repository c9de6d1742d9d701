// `depot why APP ENV [VERSION]`: is the version there (desired in ENV and
// deployed on every target), and if not every reason why, from the planner
// the controllers run. Exit code 0 when it is there, 1 when not, 2 when the
// question has no answer (unknown application or environment, no access).
// The lines are the ones the HTTP API's …/why answers (src/actions/why.ts).
import type { Command } from 'commander';
import { why } from '../../actions/why.js';
import { DepotClient } from '../../client/depot-client.js';
import { addClusterOptions, type ClusterOptions } from '../cluster-options.js';
import { reportError, UserError } from '../errors.js';
import { printMachine } from '../render/output.js';

/** The question could not be answered. */
export const WHY_ERROR_EXIT = 2;
/** The version is not there. */
export const WHY_ABSENT_EXIT = 1;

export function registerWhy(program: Command): void {
  addClusterOptions(
    program
      .command('why')
      .description(
        'why VERSION of APP is or is not in ENV (default: the newest known version): every freeze, compatibility rule, Promotion step (soak, schedule, approval, gates, hold), rejection and delivery state that keeps it out; exit code 0 when it is there (desired, deployed on every target), 1 when not, 2 on an error',
      )
      .argument('<app>', 'Application name')
      .argument('<env>', 'Environment name')
      .argument('[version]', 'the version (default: the newest known)')
      .option('-o, --output <format>', 'text | json | yaml', 'text'),
  ).action(
    async (
      application: string,
      environment: string,
      version: string | undefined,
      opts: ClusterOptions & { output: string },
    ) => {
      try {
        if (!['text', 'json', 'yaml'].includes(opts.output))
          throw new UserError(`-o must be one of text, json, yaml, got "${opts.output}"`);
        const client = DepotClient.connect(opts);
        // A read: no user is named, so none is looked up.
        const answer = await why(
          { port: client.port, namespace: client.namespace, user: '', now: () => new Date() },
          { application, environment, ...(version !== undefined ? { version } : {}) },
        );
        if (!printMachine(opts.output as 'json' | 'yaml', answer))
          process.stdout.write(answer.lines.map((l) => `${l}\n`).join(''));
        process.exitCode = answer.present ? 0 : WHY_ABSENT_EXIT;
      } catch (err) {
        reportError(err);
        process.exitCode = WHY_ERROR_EXIT;
      }
    },
  );
}
