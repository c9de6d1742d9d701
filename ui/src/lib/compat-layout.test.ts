import { compatLayout } from './compat-layout.js';

describe('compatLayout', () => {
  it('puts required applications left of those that require them, with one edge per pair', () => {
    const l = compatLayout([
      {
        name: 'dash',
        rules: [
          { when: '>=2.0.0', requires: { application: 'core', versions: '>=1.12.0 <2.0.0' } },
          { requires: { application: 'core', versions: '>=1.0.0' } },
          { requires: { application: 'auth', versions: '^3' } },
        ],
      },
      { name: 'core', rules: [{ requires: { application: 'auth', versions: '>=3.1.0' } }] },
      { name: 'lonely', rules: [] },
    ]);
    const layerOf = Object.fromEntries(l.nodes.map((n) => [n.id, n.layer]));
    expect(layerOf).toEqual({ auth: 0, lonely: 0, core: 1, dash: 2 });
    expect(l.edges.find((e) => e.from === 'dash' && e.to === 'core')?.labels).toEqual([
      'dash >=2.0.0 requires core >=1.12.0 <2.0.0',
      'dash requires core >=1.0.0',
    ]);
    expect(l.edges).toHaveLength(3);
    for (const n of l.nodes) {
      expect(n.x).toBeLessThan(l.width);
      expect(n.y).toBeLessThan(l.height);
    }
  });

  it('terminates on a cycle and lays out an empty namespace', () => {
    const l = compatLayout([
      { name: 'a', rules: [{ requires: { application: 'b', versions: '1' } }] },
      { name: 'b', rules: [{ requires: { application: 'a', versions: '1' } }] },
    ]);
    expect(l.nodes.map((n) => n.id).sort()).toEqual(['a', 'b']);
    expect(compatLayout([])).toMatchObject({ nodes: [], edges: [] });
  });
});
