// `depot` command line. Every failure ends as one line on stderr and exit code
// 1 (2 for usage errors); stack traces are shown only with DEPOT_DEBUG=1.
// bin/depot.js calls main(); importing this module runs nothing (docs/cli.md
// is generated from buildProgram()).
import { Command, CommanderError } from 'commander';
import { registerAgent } from './commands/agent.js';
import { registerDashboard } from './commands/dashboard.js';
import { registerLocal } from './commands/local.js';
import { registerOperator } from './commands/operator.js';
import { registerValidate } from './commands/validate.js';
import { registerGet } from './commands/get.js';
import { registerVersionCommands } from './commands/versions.js';
import { registerCompatCommands } from './commands/compat.js';
import { registerReleaseControlCommands } from './commands/release-control.js';
import { registerWhy } from './commands/why.js';
import { reportError } from './errors.js';
import { DEPOT_VERSION } from '../api/version.js';

export function buildProgram(): Command {
  const program = new Command('depot')
    .description('Depot: which version of which application runs where')
    .version(DEPOT_VERSION, '-V, --version', "print Depot's version")
    .showSuggestionAfterError()
    .exitOverride();
  registerLocal(program);
  registerOperator(program);
  registerValidate(program);
  registerGet(program);
  registerVersionCommands(program);
  registerCompatCommands(program);
  registerAgent(program);
  registerReleaseControlCommands(program);
  registerWhy(program);
  registerDashboard(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // commander already printed its message (help, version or usage error).
      process.exitCode = err.exitCode === 0 ? 0 : 2;
      return;
    }
    process.exitCode = reportError(err);
  }
}
