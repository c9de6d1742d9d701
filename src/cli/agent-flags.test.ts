// The trust flags of `depot agent`: --allow-override takes known override
// fields only (repeatable, comma-separated, default none); --insecure-http
// is off unless given.
import { Command } from 'commander';
import { agentFlags, type AgentFlags } from './agent-flags.js';
import { addOptions } from './flags.js';

const required = [
  '--server',
  'https://hub',
  '--namespace',
  'team-a',
  '--target',
  'prod-eu',
  '--token-file',
  '/t',
];

function parse(...args: string[]): AgentFlags {
  const command = addOptions(new Command('agent'), ...agentFlags())
    .exitOverride()
    .configureOutput({ writeErr: () => undefined });
  command.parse([...required, ...args], { from: 'user' });
  return command.opts<AgentFlags>();
}

test('by default no override applies, plain HTTP is not allowed and no CA file is added', () => {
  const flags = parse();
  expect(flags).toMatchObject({ allowOverride: [], insecureHttp: false });
  expect(flags.caFile).toBeUndefined();
});

test('--allow-override adds known fields, each use to the others', () => {
  expect(
    parse('--allow-override', 'argocd.set, argocd.applicationName', '--allow-override', 'flux.patch.name')
      .allowOverride,
  ).toEqual(['argocd.set', 'argocd.applicationName', 'flux.patch.name']);
});

test('an unknown override field is refused, naming the known ones', () => {
  expect(() => parse('--allow-override', 'argocd.set,argocd.project')).toThrow(
    /unknown override field argocd\.project \(one of argocd\.applicationNamespace, argocd\.applicationName, argocd\.set, /,
  );
});
