// docs/cli.md holds every command's --help; this fails when a help text, a
// flag or a command changed and `npm run gen:cli-docs` was not run.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../local/project-root.js';
import { buildProgram } from './main.js';
import { CLI_END, CLI_START, cliReference, helpText, replaceCliReference } from './reference.js';

const root = projectRoot();
const doc = readFileSync(join(root, 'docs', 'cli.md'), 'utf8');

test('docs/cli.md holds the live --help of every command (run `npm run gen:cli-docs`)', () => {
  expect(replaceCliReference(doc, cliReference(buildProgram(), root))).toBe(doc);
});

test('every command and subcommand of the program has its section, with its help', () => {
  const program = buildProgram();
  const block = cliReference(program, root);
  const commands = program.commands.flatMap((c) => [c, ...c.commands]);
  expect(commands.length).toBeGreaterThan(15);
  for (const command of commands) {
    const name = [command.parent?.parent ? command.parent.name() : '', command.name()].filter(Boolean);
    expect(block).toContain(`\`depot ${name.join(' ')}\``);
    expect(block).toContain(helpText(command).split('\n')[0]);
  }
  // addHelpText('after') is part of --help, so it is part of the reference.
  expect(block).toContain('One line per problem: FILE:DOC KIND/NAME FIELD: MESSAGE');
});

test('the generated block is replaced between the markers only, and a file without them is refused', () => {
  const text = `# CLI\n\nby hand\n\n${CLI_START}\nold\n${CLI_END}\n\nafter\n`;
  const next = replaceCliReference(text, 'new')!;
  expect(next).toBe(`# CLI\n\nby hand\n\n${CLI_START}\n\nnew\n\n${CLI_END}\n\nafter\n`);
  expect(replaceCliReference('# no markers', 'x')).toBeUndefined();
});

test('the reference names no path of this checkout', () => {
  expect(cliReference(buildProgram(), root)).not.toContain(root);
});
