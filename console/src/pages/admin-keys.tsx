import { useState } from 'preact/hooks';
import { api } from '../api';
import { Failure, Loading, TableWrap } from '../components';
import { ConfirmDialog } from '../confirm-dialog';
import { fmtTime } from '../format';
import type { Organization } from '../organization';
import { useApi } from '../use-api';

interface ApiKey {
  keyId: string;
  userId: number;
  name: string;
  created: string;
  expiresAt?: string;
  revokedAt?: string;
  lastUsedAt?: string;
}

/**
 * The API keys of the organization's members (admin/keys/list), a new key for the admin
 * (admin/keys/create) and revocation (admin/keys/delete). A new key's secret is kept in this
 * component's state only: shown once, gone when the admin leaves the page or reloads.
 */
export function ApiKeys(props: { org: Organization }) {
  const [version, setVersion] = useState(0);
  const [created, setCreated] = useState<{ keyId: string; secret: string; name: string }>();
  const [createError, setCreateError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [revoking, setRevoking] = useState<ApiKey>();
  const { data, error } = useApi<{ keys: ApiKey[] }>('admin/keys/list', { organizationId: props.org.id }, `${props.org.id}:${version}`);

  async function create(event: Event) {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const fields = new FormData(form);
    setBusy(true);
    setCreateError(undefined);
    try {
      const answer = await api<{ keyId: string; secret: string; name: string }>('admin/keys/create', {
        organizationId: props.org.id,
        name: String(fields.get('name') ?? '').trim(),
        expires: String(fields.get('expires') ?? ''),
      });
      setCreated({ keyId: answer.keyId, secret: answer.secret, name: answer.name });
      form.reset();
      setVersion((v) => v + 1);
    } catch (err) {
      setCreateError((err as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <h2>API keys</h2>
      <form class="inline-form" onSubmit={create} aria-labelledby="new-key-title">
        <h3 id="new-key-title">New key for you</h3>
        <label>
          Name
          <input name="name" required maxLength={100} />
        </label>
        <label>
          Expires (optional)
          <input name="expires" type="date" />
        </label>
        <button type="submit" disabled={busy}>
          {busy ? 'Creating…' : 'Create key'}
        </button>
        {createError && (
          <p class="error" role="alert">
            {createError}
          </p>
        )}
      </form>
      {created && (
        <div class="secret" role="status" data-testid="new-key">
          <p>
            <strong>Copy the secret of “{created.name}” now: it is shown this once and never again.</strong> Send it as <code>X-API-Secret</code> with{' '}
            <code>X-API-Key: {created.keyId}</code>.
          </p>
          <p>
            Key id: <code data-testid="new-key-id">{created.keyId}</code>
          </p>
          <p>
            Secret: <code data-testid="new-key-secret">{created.secret}</code>
          </p>
          <button type="button" onClick={() => setCreated(undefined)}>
            I have copied it
          </button>
        </div>
      )}
      {error ? (
        <Failure message={error} />
      ) : !data ? (
        <Loading />
      ) : (
        <TableWrap label="API keys">
          <table data-testid="keys">
            <thead>
              <tr>
                <th scope="col">Key id</th>
                <th scope="col">User</th>
                <th scope="col">Name</th>
                <th scope="col">Created (UTC)</th>
                <th scope="col">Expires (UTC)</th>
                <th scope="col">Last used (UTC)</th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {data.keys.map((k) => (
                <tr key={k.keyId} data-key={k.keyId}>
                  <td class="mono">{k.keyId}</td>
                  <td class="num">{k.userId}</td>
                  <td>{k.name}</td>
                  <td>{fmtTime(k.created)}</td>
                  <td>{k.expiresAt ? fmtTime(k.expiresAt) : 'never'}</td>
                  <td>{k.lastUsedAt ? fmtTime(k.lastUsedAt) : '–'}</td>
                  <td>
                    {k.revokedAt ? (
                      `revoked ${fmtTime(k.revokedAt)}`
                    ) : (
                      <button type="button" onClick={() => setRevoking(k)} aria-label={`Revoke ${k.name} (${k.keyId})`}>
                        Revoke
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
      {revoking && (
        <ConfirmDialog
          title="Revoke API key?"
          confirmLabel="Revoke"
          onClose={() => setRevoking(undefined)}
          onConfirm={async () => {
            await api('admin/keys/delete', { organizationId: props.org.id, keyId: revoking.keyId });
            if (created?.keyId === revoking.keyId) setCreated(undefined);
            setVersion((v) => v + 1);
          }}
        >
          <p>
            Key “{revoking.name}” (<code>{revoking.keyId}</code>) of user {revoking.userId} stops working; this cannot be undone.
          </p>
        </ConfirmDialog>
      )}
    </>
  );
}
