// Jest loads global setup files with Node's own loader (no ts-jest, no
// moduleNameMapper), so the TypeScript setup is loaded through tsx.
import { tsImport } from 'tsx/esm/api';

export default async function globalSetup(...args) {
  const { default: setup } = await tsImport('./setup.ts', import.meta.url);
  return setup(...args);
}
