// `depot validate --gate-url-allow`: the flag reaches the gate checks, with the
// operator flag's parser (a prefix that is not http(s) is a one-line error).
import { jest } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildProgram } from '../main.js';
import { UserError } from '../errors.js';

const dir = mkdtempSync(join(tmpdir(), 'depot-validate-'));
const file = join(dir, 'promo.yaml');
writeFileSync(
  file,
  "apiVersion: depot.sh/v1alpha1\nkind: Promotion\nmetadata: {name: to-prod}\nspec:\n  from: staging\n  to: prod\n  gates:\n    - name: smoke\n      http: {url: 'https://checks/depot/prod'}\n",
);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function validate(...flags: string[]): Promise<{ code: number; stdout: string }> {
  let stdout = '';
  const out = jest.spyOn(process.stdout, 'write').mockImplementation((t) => ((stdout += String(t)), true));
  const err = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  const before = process.exitCode;
  try {
    await buildProgram()
      .exitOverride()
      .parseAsync(['node', 'depot', 'validate', file, '--skip-references', ...flags]);
    return { code: Number(process.exitCode ?? 0), stdout };
  } finally {
    process.exitCode = before;
    out.mockRestore();
    err.mockRestore();
  }
}

test('gate URLs are checked against the given prefixes, repeated or comma-separated', async () => {
  expect(await validate()).toEqual({ code: 0, stdout: '' });
  expect(await validate('--gate-url-allow', 'https://checks/depot/')).toEqual({ code: 0, stdout: '' });
  expect(
    await validate('--gate-url-allow', 'https://other/', '--gate-url-allow', 'https://checks/dep,https://x/'),
  ).toEqual({
    code: 1,
    stdout: `${file}:0 Promotion/to-prod spec.gates[0].http.url: gate smoke: https://checks/depot/prod is under none of the --gate-url-allow prefixes (https://other/, https://checks/dep, https://x/)\n`,
  });
});

test('a prefix that is not an http(s) URL is a one-line error', async () => {
  await expect(validate('--gate-url-allow', 'ftp://checks/')).rejects.toThrow(
    new UserError('--gate-url-allow: ftp://checks/ is not an http:// or https:// URL prefix'),
  );
});
