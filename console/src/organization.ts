import { useEffect, useState } from 'preact/hooks';
import { api, SignedOutError } from './api';
import { loadCredentials } from './session';

/**
 * The organization the object store and admin pages work on, and whether the signed-in user is
 * one of its admins, from the public API only: `organizations/list` names the preferred
 * organization, `user/read` the caller's id and `organizations/read` its members with `isAdmin`.
 * Read once per signed-in session (the header and the pages share it); the admin endpoints refuse
 * a non-admin whatever the console shows.
 */
export interface Organization {
  id: string;
  name: string;
  userId: number;
  isAdmin: boolean;
}

interface OrgList {
  organizations: { id: string; name: string; preferred: boolean }[];
}
interface OrgRead {
  organization: { id: string; name: string; members: { id: number; isAdmin: boolean }[] };
}

let cached: { key: string; promise: Promise<Organization> } | undefined;

async function load(): Promise<Organization> {
  const [list, user] = await Promise.all([api<OrgList>('organizations/list'), api<{ user: { id: number } }>('user/read')]);
  const chosen = list.organizations.find((o) => o.preferred) ?? list.organizations[0];
  if (!chosen) throw new Error('You belong to no organization.');
  const { organization } = await api<OrgRead>('organizations/read', { organizationId: chosen.id });
  const me = organization.members.find((m) => m.id === user.user.id);
  return { id: organization.id, name: organization.name, userId: user.user.id, isAdmin: me?.isAdmin === true };
}

function organization(): Promise<Organization> {
  const credentials = loadCredentials();
  if (!credentials) return Promise.reject(new SignedOutError('Signed out'));
  const key = JSON.stringify(credentials);
  if (cached?.key !== key) {
    const promise = load();
    cached = { key, promise };
    // A failed read is not kept: the next page tries again.
    promise.catch(() => {
      if (cached?.promise === promise) cached = undefined;
    });
  }
  return cached.promise;
}

export function useOrganization(): { org?: Organization; error?: string } {
  const [state, setState] = useState<{ org?: Organization; error?: string }>({});
  useEffect(() => {
    let current = true;
    organization().then(
      (org) => current && setState({ org }),
      (err: unknown) => current && !(err instanceof SignedOutError) && setState({ error: (err as Error).message }),
    );
    return () => {
      current = false;
    };
  }, []);
  return state;
}
