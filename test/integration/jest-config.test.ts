// The Jest configuration names only test folders that exist: a pattern for a
// folder nobody created hides a typo (tests that never run) and misleads readers.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { projectRoot } from '../../src/local/project-root.js';

const root = projectRoot();

interface Project {
  displayName: string;
  testMatch: string[];
}

/** `<rootDir>/test/integration/**\/*.test.ts` → `test/integration`: the part before the first glob. */
function baseDir(pattern: string): string {
  const parts = pattern.replace(/^<rootDir>\//, '').split('/');
  const firstGlob = parts.findIndex((p) => /[*?[{]/.test(p));
  return parts.slice(0, firstGlob < 0 ? parts.length : firstGlob).join('/');
}

test('every testMatch pattern of jest.config.js starts in a folder that exists', async () => {
  const config = (await import(pathToFileURL(join(root, 'jest.config.js')).href)) as {
    default: { projects: Project[] };
  };
  const patterns = config.default.projects.flatMap((p) =>
    p.testMatch.map((pattern) => ({ project: p.displayName, dir: baseDir(pattern) })),
  );
  expect(patterns.length).toBeGreaterThan(0);
  const missing = patterns.filter(
    ({ dir }) => !existsSync(join(root, dir)) || !statSync(join(root, dir)).isDirectory(),
  );
  expect(missing).toEqual([]);
});

// jest-circus takes the timeout from the global configuration only; one set
// in a project is ignored, which left integration tests at Jest's 5 s default.
test('an integration test without its own timeout may take longer than Jest’s 5 s default', async () => {
  await new Promise((resolve) => setTimeout(resolve, 6000));
});
