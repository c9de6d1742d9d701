import { Tour } from './tour.js';

const tour = (exited?: () => string | undefined, stepTimeoutMs = 50) =>
  new Tour({
    root: '/nowhere',
    kubeconfig: '/nowhere/kubeconfig',
    namespace: 'demo',
    client: {} as never,
    argo: {} as never,
    stepTimeoutMs,
    operatorHint: '/state/logs/operator.log',
    operatorExited: exited,
  });

test('a wait that runs out names the step, what it waited for and the operator log', async () => {
  const t = tour();
  t.begin('Step 9: something');
  await expect(t.until('core 1.2.3 desired in dev', async () => false)).rejects.toThrow(
    'Step 9: something: timed out after 0.05s waiting for core 1.2.3 desired in dev; see /state/logs/operator.log',
  );
});

test('an operator that exited fails the wait at once, saying so', async () => {
  const t = tour(() => 'the operator exited (code 1)');
  t.begin('Step 1');
  await expect(t.until('anything', async () => true)).rejects.toThrow(
    'Step 1: the operator exited (code 1) waiting for anything; see /state/logs/operator.log',
  );
});

test('a wait that holds returns', async () => {
  const t = tour(undefined, 5_000);
  t.begin('Step 1');
  let n = 0;
  await expect(t.until('the third look', async () => ++n === 3)).resolves.toBeUndefined();
});
