import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import { type ConsoleConfig, consoleConfig } from '../oidc';
import { type Credentials, saveCredentials } from '../session';
import { OidcSignIn } from './oidc-sign-in';

/** Sign-in as `/config.json` says: through the OIDC issuer when deployed with one, else with a user id and API token. */
export function SignIn(props: { onSignedIn: (credentials: Credentials) => void }) {
  const [config, setConfig] = useState<ConsoleConfig>();
  useEffect(() => {
    void consoleConfig().then(setConfig);
  }, []);
  if (!config) return null;
  return config.auth === 'oidc' ? <OidcSignIn config={config} onSignedIn={props.onSignedIn} /> : <TokenSignIn onSignedIn={props.onSignedIn} />;
}

/**
 * Local-mode sign-in: the user id and API token of `lcs` (printed by `npm start` on the first run,
 * or made with `lcs keys create`). They are checked with `authenticate`, then kept in
 * sessionStorage for this tab only.
 */
function TokenSignIn(props: { onSignedIn: (credentials: Credentials) => void }) {
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  async function submit(event: Event) {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const credentials = { userId: String(form.get('userId') ?? '').trim(), token: String(form.get('token') ?? '').trim() };
    setBusy(true);
    setError(undefined);
    try {
      await api('authenticate', {}, credentials);
      saveCredentials(credentials);
      props.onSignedIn(credentials);
    } catch (err) {
      setError((err as Error).message || 'Sign-in failed');
    } finally {
      setBusy(false);
    }
  }

  return (
    <main class="sign-in">
      <h1>Lean Cloud Server</h1>
      <form onSubmit={submit} aria-describedby="sign-in-help">
        <p id="sign-in-help">
          Sign in with your user id and API token. The token stays in this browser tab and is never sent: each request carries a timestamped hash of it.
        </p>
        <label>
          User id
          <input name="userId" inputMode="numeric" autoComplete="username" required />
        </label>
        <label>
          API token
          <input name="token" type="password" autoComplete="current-password" required />
        </label>
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
      </form>
    </main>
  );
}
