// Agent contacts on a Target: at most one write per Target per interval,
// whatever version or user the polls name, and none for a Target that is not
// delivered by an agent.
import { Targets } from '../api/resources.js';
import type { Target } from '../api/target.js';
import { target } from '../core/testing/builders.js';
import { MemoryCluster } from '../runtime/testing/memory-cluster.js';
import { memoryDeps } from '../runtime/testing/memory-deps.js';
import { AgentContacts } from './agent-contacts.js';

const settle = () => new Promise((r) => setTimeout(r, 10));

test('alternating the client version or user does not defeat the per-Target throttle', async () => {
  const cluster = new MemoryCluster();
  cluster.add(Targets, target('edge-1', 'prod', { agent: {} }), target('dev-1', 'dev'));
  const deps = memoryDeps(cluster);
  const contacts = new AgentContacts(deps, 30_000);
  const agentOf = () => (cluster.get(Targets, 'ns', 'edge-1') as Target | undefined)?.status?.agent;

  contacts.record('ns', 'edge-1', '0.1.0', 'agent');
  await settle();
  expect(agentOf()).toMatchObject({ version: '0.1.0', user: 'agent' });
  for (let i = 0; i < 60; i++) {
    contacts.record('ns', 'edge-1', `0.${i % 2}.${i}`, i % 3 ? 'agent' : 'someone');
    await settle();
  }
  expect(agentOf()).toMatchObject({ version: '0.1.0', user: 'agent' });
  await deps.clock.advance(30_001);
  contacts.record('ns', 'edge-1', '0.2.0', 'agent');
  await settle();
  expect(agentOf()).toMatchObject({ version: '0.2.0' });
  contacts.record('ns', 'dev-1', '0.2.0', 'agent');
  await settle();
  expect(cluster.get(Targets, 'ns', 'dev-1')).not.toHaveProperty('status.agent');
  expect(cluster.writes.filter((w) => w.resource === 'targets')).toHaveLength(2);
});
