import { useState } from 'preact/hooks';

export function Login(props: { accepts: string; error?: string; onSubmit: (token: string) => void }) {
  const [token, setToken] = useState('');
  return (
    <main class="login">
      <form
        class="login-form"
        data-testid="login-form"
        aria-labelledby="login-title"
        onSubmit={(e) => {
          e.preventDefault();
          if (token.trim() !== '') props.onSubmit(token);
        }}
      >
        <h1 id="login-title">Depot</h1>
        <p data-testid="login-accepts" id="login-accepts">
          {props.accepts}
        </p>
        <label for="token">Bearer token</label>
        <input
          id="token"
          data-testid="token-input"
          type="password"
          autocomplete="off"
          spellcheck={false}
          required
          aria-describedby="login-accepts"
          value={token}
          onInput={(e) => setToken(e.currentTarget.value)}
        />
        <p class="hint">Kept in this page's memory only: reloading the page signs you out.</p>
        {props.error && (
          <p class="error" role="alert" data-testid="login-error">
            {props.error}
          </p>
        )}
        <button type="submit" data-testid="token-submit">
          Sign in
        </button>
      </form>
    </main>
  );
}
