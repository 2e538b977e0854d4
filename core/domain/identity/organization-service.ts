import { identityRepository } from '../../data/identity/identity-repository';
import { nodeRepository } from '../../data/jobs/node-repository';
import { config } from '../../shared/config';
import { epochSeconds } from '../../shared/dates';
import { NotFoundError } from '../../shared/errors';
import type { Principal } from '../../shared/principal';
import { nodeView } from '../jobs/node-views';
import { orgAccess } from './access';
import { displayUsers } from './user-directory';

/**
 * Account, organisation and user reads. Products may only use the names LEAN's
 * ProductJsonConverter knows (contract §3.2); the Data product lists the security-master items
 * (37, 137, 172) that LEAN's ApiDataProvider checks before it starts.
 */
const PRODUCT_NAMES = {
  backtest: 'Backtest Node',
  research: 'Research Node',
  live: 'Live Trading Node',
  seats: 'Professional Seats',
  data: 'Data',
} as const;

const DATA_ITEMS = [
  { productId: 37, name: 'US Equity Security Master' },
  { productId: 137, name: 'US Futures Security Master' },
  { productId: 172, name: 'India Equity Security Master' },
];

const item = (productId: number, name: string, quantity: number) => ({ productId, name, quantity, unitPrice: 0, total: 0 });

async function loadOrg(principal: Principal, organizationId?: string) {
  const { orgId } = orgAccess(principal, organizationId, 'viewer');
  const org = await identityRepository.getOrganization(orgId);
  if (!org) throw new NotFoundError('Organization');
  return org;
}

export const organizationService = {
  async readAccount(principal: Principal, organizationId?: string) {
    const org = await loadOrg(principal, organizationId);
    return { organizationId: org.id, creditBalance: config().LCS_CREDIT_BALANCE, card: null };
  },

  async read(principal: Principal, organizationId?: string) {
    const org = await loadOrg(principal, organizationId);
    const [members, nodes] = await Promise.all([identityRepository.listMembers(org.id), nodeRepository.listByOrg(org.id)]);
    const users = await displayUsers(members.map((m) => m.userId));
    const count = (kind: string) => nodes.filter((n) => n.kind === kind).length;
    const balance = config().LCS_CREDIT_BALANCE;
    return {
      organization: {
        id: org.id,
        name: org.name,
        seats: members.length,
        type: 'Team',
        credit: { movements: [], balance },
        products: [
          { name: PRODUCT_NAMES.seats, items: [item(1, 'Professional Seat', members.length)] },
          { name: PRODUCT_NAMES.backtest, items: [item(2, 'Backtest Node', count('backtest'))] },
          { name: PRODUCT_NAMES.research, items: [item(3, 'Research Node', count('research'))] },
          { name: PRODUCT_NAMES.live, items: [item(4, 'Live Trading Node', count('live'))] },
          { name: PRODUCT_NAMES.data, items: DATA_ITEMS.map((d) => item(d.productId, d.name, 1)) },
        ],
        // The operator's own data needs no terms; LEAN's data provider refuses to start unless current.
        data: { signedTime: epochSeconds(new Date(org.created)), current: true },
        members: members.map((m) => ({
          id: m.userId,
          name: users.get(m.userId)?.name ?? '',
          email: users.get(m.userId)?.email ?? '',
          isAdmin: m.role === 'admin',
        })),
      },
    };
  },

  async list(principal: Principal) {
    const orgIds = principal.memberships.map((m) => m.orgId);
    const orgs = (await Promise.all(orgIds.map((id) => identityRepository.getOrganization(id)))).flatMap((o) => (o ? [o] : []));
    const [memberCounts, owners] = await Promise.all([
      Promise.all(orgs.map((o) => identityRepository.listMembers(o.id).then((m) => m.length))),
      displayUsers(orgs.map((o) => o.ownerUserId)),
    ]);
    // `lean whoami` needs one organisation whose ownerName is "You"; a user who owns none is
    // shown as owner of their preferred organisation so the command works for every member.
    const ownsAny = orgs.some((o) => o.ownerUserId === principal.userId);
    return {
      organizations: orgs.map((o, i) => ({
        id: o.id,
        name: o.name,
        type: 'Team',
        ownerName: o.ownerUserId === principal.userId || (!ownsAny && o.id === principal.preferredOrgId) ? 'You' : (owners.get(o.ownerUserId)?.name ?? ''),
        members: memberCounts[i] ?? 0,
        preferred: o.id === principal.preferredOrgId,
      })),
    };
  },

  /** Cloud project encryption is not offered by this server: the registered key list is empty. */
  async encryptionKeys(principal: Principal, organizationId?: string) {
    await loadOrg(principal, organizationId);
    return { keys: [] as { name: string; hash: string }[] };
  },

  /** The caller's profile; an organization given must be one of the caller's. */
  async readUser(principal: Principal, organizationId?: string) {
    if (organizationId) orgAccess(principal, organizationId, 'viewer');
    const user = await identityRepository.getUser(principal.userId);
    if (!user) throw new NotFoundError('User');
    return { user: { name: user.name, profile: '', badge: '', email: user.email, id: user.id } };
  },

  async nodes(principal: Principal, organizationId?: string) {
    const org = await loadOrg(principal, organizationId);
    const nodes = await nodeRepository.listByOrg(org.id);
    const of = (kind: string) => nodes.filter((n) => n.kind === kind).map((n) => nodeView(n));
    return { backtest: of('backtest'), research: of('research'), live: of('live') };
  },
};
