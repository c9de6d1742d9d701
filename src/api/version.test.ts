import { readFileSync } from 'node:fs';
import { DEPOT_VERSION } from './version.js';

test("DEPOT_VERSION is package.json's version", () => {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  expect(DEPOT_VERSION).toBe(pkg.version);
});
