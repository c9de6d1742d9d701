// Flags that could only fail later (a status write the API server rejects on
// every reconcile) are refused when the operator starts.
import { Command } from 'commander';
import { registerOperator } from './operator.js';

async function parse(...args: string[]): Promise<unknown> {
  const program = new Command('depot').exitOverride();
  registerOperator(program, () => {
    throw new Error('the operator must not start');
  });
  return program.parseAsync(['node', 'depot', 'operator', ...args]).then(
    () => 'started',
    (err: unknown) => err,
  );
}

test('--history-limit above the CRD maximum of status.history is refused with one line', async () => {
  const err = await parse('--history-limit', '1001');
  expect(err).toBeInstanceOf(Error);
  expect((err as Error).message).toBe(
    '--history-limit 1001 is above 1000, the most entries the Application CRD allows in status.history',
  );
});

test.each(['0', '-1', 'ten'])('--history-limit %s is refused', async (value) => {
  expect(String(await parse('--history-limit', value))).toMatch(/--history-limit must be a whole number/);
});

test.each(['notification-controller/hook/', 'ftp://nc/hook/'])(
  '--receiver-url-allow %s (not an http(s) URL prefix) is refused with one line',
  async (value) => {
    expect(String(await parse('--receiver-url-allow', value))).toBe(
      `Error: --receiver-url-allow: ${value} is not an http:// or https:// URL prefix`,
    );
  },
);

test('a malformed --api-addr and a TLS key without its certificate are refused with one line', async () => {
  expect(String(await parse('--api-addr', 'localhost:http'))).toMatch(
    /^Error: --api-addr: invalid address "localhost:http"/,
  );
  expect(String(await parse('--api-tls-key', 'key.pem'))).toBe(
    'Error: --api-tls-cert and --api-tls-key go together: pass both or neither',
  );
});
