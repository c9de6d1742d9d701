// Prints the plain closing line CI reads, `N passed, N failed`, from Jest's
// JSON results. A suite that could not run counts as a failure.
import { existsSync, readFileSync } from 'node:fs';

const file = process.argv[2] ?? '.cache/jest-results.json';
if (!existsSync(file)) {
  console.log('0 passed, 1 failed');
  process.exit(1);
}
const r = JSON.parse(readFileSync(file, 'utf8'));
const failed = r.numFailedTests + r.numRuntimeErrorTestSuites;
const skipped = r.numPendingTests + r.numTodoTests;
console.log(`${r.numPassedTests} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 || !r.success ? 1 : 0);
