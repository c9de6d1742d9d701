import { cgroupMemoryLimit, nodeTuning, oldSpaceMiB } from './node-tuning.js';

const GIB = 2 ** 30;
const MIB = 2 ** 20;

test('without a memory limit: 16 MiB semi-spaces, 25% old-space growth and 2 malloc arenas, the old space size left to V8', () => {
  expect(nodeTuning({ execArgv: [], env: {} })).toEqual({
    flags: ['--max-semi-space-size=16', '--heap-growing-percent=25'],
    env: { MALLOC_ARENA_MAX: '2' },
  });
});

test('under a container memory limit the old space gets 75% of it, keeping at least 160 MiB for the rest', () => {
  expect(oldSpaceMiB(GIB)).toBe(768);
  expect(oldSpaceMiB(4 * GIB)).toBe(3072);
  expect(oldSpaceMiB(512 * MIB)).toBe(352);
  expect(oldSpaceMiB(256 * MIB)).toBe(96);
  expect(oldSpaceMiB(128 * MIB)).toBe(64);
  expect(nodeTuning({ execArgv: [], env: {}, memoryLimitBytes: GIB }).flags).toContain(
    '--max-old-space-size=768',
  );
});

test('what the command line, NODE_OPTIONS or the environment sets is kept, and then nothing is added', () => {
  const set = nodeTuning({
    execArgv: ['--max-semi-space-size=8', '--heap-growing-percent=50'],
    nodeOptions: '--max-old-space-size=300',
    env: { MALLOC_ARENA_MAX: '4' },
    memoryLimitBytes: GIB,
  });
  expect(set).toEqual({ flags: [], env: {} });
  expect(
    nodeTuning({ execArgv: ['--max_old_space_size=300'], env: {}, memoryLimitBytes: GIB }).flags,
  ).toEqual(['--max-semi-space-size=16', '--heap-growing-percent=25']);
  expect(
    nodeTuning({ execArgv: [], nodeOptions: '--max-heap-size=900', env: {}, memoryLimitBytes: GIB }).flags,
  ).toEqual(['--max-semi-space-size=16', '--heap-growing-percent=25']);
  // After the re-execution with the tuning, there is nothing left to add: no loop.
  const first = nodeTuning({ execArgv: [], env: {}, memoryLimitBytes: GIB });
  expect(nodeTuning({ execArgv: first.flags, env: first.env, memoryLimitBytes: GIB })).toEqual({
    flags: [],
    env: {},
  });
});

test('the cgroup memory limit: v2 then v1; "max" and v1\'s huge number mean none', () => {
  const files = (map: Record<string, string>) => (path: string) => {
    if (!(path in map)) throw new Error(`ENOENT ${path}`);
    return map[path]!;
  };
  expect(cgroupMemoryLimit(files({ '/sys/fs/cgroup/memory.max': '1073741824\n' }))).toBe(GIB);
  expect(cgroupMemoryLimit(files({ '/sys/fs/cgroup/memory.max': 'max\n' }))).toBeUndefined();
  expect(cgroupMemoryLimit(files({ '/sys/fs/cgroup/memory/memory.limit_in_bytes': '536870912' }))).toBe(
    512 * MIB,
  );
  expect(
    cgroupMemoryLimit(files({ '/sys/fs/cgroup/memory/memory.limit_in_bytes': '9223372036854771712' })),
  ).toBeUndefined();
  expect(cgroupMemoryLimit(files({}))).toBeUndefined();
});
