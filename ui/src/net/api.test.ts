import { ApiError, errorOf } from './api.js';

describe('errorOf', () => {
  it("reduces the API's JSON error to one line with its kind", async () => {
    const res = new Response(
      JSON.stringify({ error: 'Forbidden', message: 'user "bob" may not patch\n  applications' }),
      {
        status: 403,
        statusText: 'Forbidden',
      },
    );
    const err = await errorOf(res);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({
      status: 403,
      kind: 'Forbidden',
      message: 'user "bob" may not patch applications',
    });
  });

  it("keeps the status line when the body is not the API's JSON (a proxy's page)", async () => {
    const err = await errorOf(
      new Response('<html>bad gateway</html>', { status: 502, statusText: 'Bad Gateway' }),
    );
    expect(err).toMatchObject({ status: 502, kind: 'Bad Gateway', message: '502 Bad Gateway' });
  });
});
