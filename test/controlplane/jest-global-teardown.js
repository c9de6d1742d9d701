// See jest-global-setup.js: the TypeScript teardown is loaded through tsx.
import { tsImport } from 'tsx/esm/api';

export default async function globalTeardown(...args) {
  const { default: teardown } = await tsImport('./teardown.ts', import.meta.url);
  return teardown(...args);
}
