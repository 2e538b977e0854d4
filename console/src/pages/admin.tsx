import { useState } from 'preact/hooks';
import { api } from '../api';
import { Failure, Loading, TableWrap } from '../components';
import { ConfirmDialog } from '../confirm-dialog';
import { type Organization, useOrganization } from '../organization';
import { useApi } from '../use-api';
import { AuditLog } from './admin-audit';
import { ApiKeys } from './admin-keys';

const TABS = [
  { id: 'members', label: 'Members' },
  { id: 'keys', label: 'API keys' },
  { id: 'audit', label: 'Audit log' },
] as const;
type Tab = (typeof TABS)[number]['id'];

/** The organization's administration (admin/… endpoints): members and roles, API keys, the audit log. */
export function Admin(props: { tab?: string }) {
  const { org, error } = useOrganization();
  if (error) return <Failure message={error} />;
  if (!org) return <Loading />;
  const tab: Tab = TABS.find((t) => t.id === props.tab)?.id ?? 'members';
  return (
    <section>
      <h1>Administration</h1>
      <p class="muted">Organization {org.name}</p>
      {!org.isAdmin && <Failure message="These pages are for the organization's admins; the server refuses anyone else." />}
      <nav class="tabs" aria-label="Administration">
        {TABS.map((t) => (
          <a key={t.id} href={`#/admin/${t.id}`} aria-current={t.id === tab ? 'page' : undefined}>
            {t.label}
          </a>
        ))}
      </nav>
      {tab === 'members' && <Members org={org} />}
      {tab === 'keys' && <ApiKeys org={org} />}
      {tab === 'audit' && <AuditLog org={org} />}
    </section>
  );
}

interface Member {
  userId: number;
  name: string;
  email: string;
  role: 'admin' | 'member' | 'viewer';
  joined: string;
}

const ROLES = ['admin', 'member', 'viewer'] as const;

function Members(props: { org: Organization }) {
  const [version, setVersion] = useState(0);
  const [removing, setRemoving] = useState<Member>();
  const [message, setMessage] = useState<{ text: string; error?: boolean }>();
  const { data, error } = useApi<{ members: Member[] }>('admin/members/list', { organizationId: props.org.id }, `${props.org.id}:${version}`);
  if (error) return <Failure message={error} />;
  if (!data) return <Loading />;

  async function changeRole(member: Member, role: string) {
    setMessage(undefined);
    try {
      await api('admin/members/update', { organizationId: props.org.id, userId: member.userId, role });
      setMessage({ text: `${member.name || member.email} is now ${role}.` });
    } catch (err) {
      setMessage({ text: (err as Error).message, error: true });
    }
    setVersion((v) => v + 1);
  }

  return (
    <>
      <h2>Members</h2>
      <TableWrap label="Members">
        <table data-testid="members">
          <thead>
            <tr>
              <th scope="col">User id</th>
              <th scope="col">Name</th>
              <th scope="col">Email</th>
              <th scope="col">Role</th>
              <th scope="col">Joined (UTC)</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {data.members.map((m) => (
              <tr key={`${m.userId}:${m.role}`} data-user={m.userId}>
                <td class="num">{m.userId}</td>
                <td>{m.name}</td>
                <td>{m.email}</td>
                <td>
                  <select
                    aria-label={`Role of ${m.name || m.userId}`}
                    value={m.role}
                    onChange={(e) => changeRole(m, (e.currentTarget as HTMLSelectElement).value)}
                  >
                    {ROLES.map((r) => (
                      <option key={r} value={r}>
                        {r}
                      </option>
                    ))}
                  </select>
                </td>
                <td>{m.joined.replace('T', ' ').replace(/(\.\d+)?Z$/, '')}</td>
                <td>
                  <button type="button" onClick={() => setRemoving(m)} aria-label={`Remove ${m.name || m.userId}`}>
                    Remove
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableWrap>
      <p role="status" class={message?.error ? 'error' : 'muted'}>
        {message?.text}
      </p>
      {removing && (
        <ConfirmDialog
          title="Remove member?"
          confirmLabel="Remove"
          onClose={() => setRemoving(undefined)}
          onConfirm={async () => {
            await api('admin/members/delete', { organizationId: props.org.id, userId: removing.userId });
            setMessage({ text: `${removing.name || removing.email} was removed.` });
            setVersion((v) => v + 1);
          }}
        >
          <p>
            {removing.name} ({removing.email}) loses access to this organization and its projects.
          </p>
        </ConfirmDialog>
      )}
    </>
  );
}
