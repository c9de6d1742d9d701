import { BACKOFF_MAX_MS, backoffDelay } from './backoff.js';

describe('backoffDelay', () => {
  it('doubles per attempt within half to full of the base, capped at 30 s', () => {
    expect(backoffDelay(0, 0)).toBe(250);
    expect(backoffDelay(0, 0.999999)).toBe(500);
    expect(backoffDelay(3, 0.999999)).toBe(4000);
    expect(backoffDelay(40, 0.999999)).toBe(BACKOFF_MAX_MS);
    expect(backoffDelay(40, 0)).toBe(BACKOFF_MAX_MS / 2);
  });
  it("honours the server's retry as a floor", () => {
    expect(backoffDelay(0, 0.999999, 5000)).toBe(5000);
  });
});
