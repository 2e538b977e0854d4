import { useEffect, useState } from 'preact/hooks';
import { authorizeUrl, completeSignIn, isSignInAnswer, type OidcConfig } from '../oidc';
import { type Credentials, saveCredentials } from '../session';

/**
 * Sign-in through the deployment's OIDC issuer (the Cognito hosted UI): a button that leaves for
 * the issuer, and on the way back (`/?code=…&state=…`) the code redeemed with this tab's PKCE
 * verifier. The query is removed from the address bar at once, so a reload never replays it.
 */
export function OidcSignIn(props: { config: OidcConfig; onSignedIn: (credentials: Credentials) => void }) {
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(() => isSignInAnswer(new URLSearchParams(location.search)));

  useEffect(() => {
    const params = new URLSearchParams(location.search);
    if (!isSignInAnswer(params)) return;
    history.replaceState(null, '', `/${location.hash}`);
    completeSignIn(props.config, params).then(
      (credentials) => {
        saveCredentials(credentials);
        props.onSignedIn(credentials);
      },
      (err: unknown) => {
        setError((err as Error).message || 'Sign-in failed');
        setBusy(false);
      },
    );
  }, []);

  async function start() {
    setBusy(true);
    location.assign(await authorizeUrl(props.config));
  }

  return (
    <main class="sign-in">
      <h1>Lean Cloud Server</h1>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void start();
        }}
        aria-describedby="sign-in-help"
      >
        <p id="sign-in-help">Sign in with your account on this server's sign-in page. Your session lasts until this tab is closed or you sign out.</p>
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
