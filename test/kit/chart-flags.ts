// The operator flags a rendered chart passes, parsed by the real `depot
// operator` command line (without running it): a chart argument the operator
// does not know fails here.
import { Command } from 'commander';
import { registerOperator, type OperatorFlags } from '../../src/cli/commands/operator.js';

export function operatorFlags(args: string[]): OperatorFlags {
  const program = new Command('depot').exitOverride().configureOutput({ writeErr: () => undefined });
  let parsed: OperatorFlags | undefined;
  const operator = registerOperator(program, () => []);
  operator.exitOverride().action((flags: OperatorFlags) => {
    parsed = flags;
  });
  program.parse(['node', 'depot', ...args]);
  if (!parsed) throw new Error(`depot ${args.join(' ')} did not reach the operator command`);
  return parsed;
}
