import { call } from '../support/api';
import { addUser, createTenant, type Tenant, type TestUser } from '../support/tenants';

/**
 * Account, organisation, user, node and catalogue reads, in the shapes LEAN and lean-cli require
 * (contract §3.1, §3.2, §3.11): lean-cli's pydantic models reject a missing field or a null string,
 * and LEAN's ProductJsonConverter knows only a fixed set of product names.
 */
const LEAN_PRODUCT_NAMES = new Set(['Professional Seats', 'Backtest Node', 'Research Node', 'Live Trading Node', 'Support', 'Data', 'Modules']);
const SKU = /^[BRL](-MICRO|\d+-\d+)$/;
const QC_DATE = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/;

let tenant: Tenant;
let other: Tenant;
let member: TestUser;

beforeAll(async () => {
  [tenant, other] = await Promise.all([createTenant('account reads'), createTenant('another org')]);
  member = await addUser(tenant.orgId, 'member');
});

const isInt = (v: unknown) => typeof v === 'number' && Number.isInteger(v);

describe('authenticate', () => {
  test('GET and POST answer exactly {success: true}', async () => {
    expect((await call('authenticate', { method: 'GET', creds: tenant.admin })).body).toEqual({ success: true });
    expect((await call('authenticate', { method: 'POST', creds: tenant.admin })).body).toEqual({ success: true });
  });

  test('a wrong token answers HTTP 200 with "Hash doesn\'t match."', async () => {
    const answer = await call('authenticate', { method: 'GET', creds: { userId: tenant.admin.userId, token: 'wrong' } });
    expect(answer.status).toBe(200);
    expect(answer.body.success).toBe(false);
    expect(answer.body.errors?.[0]?.startsWith("Hash doesn't match.")).toBe(true);
  });
});

describe('account/read', () => {
  test('JSON with the organization id: organizationId string, creditBalance number, card null or object', async () => {
    const answer = await call('account/read', { json: { organizationId: tenant.orgId }, creds: tenant.admin });
    expect(answer.body.success).toBe(true);
    expect(answer.body.organizationId).toBe(tenant.orgId);
    expect(typeof answer.body.creditBalance).toBe('number');
    expect(Number.isFinite(answer.body.creditBalance)).toBe(true);
    const card = answer.body.card;
    expect(card === null || (typeof card === 'object' && !Array.isArray(card))).toBe(true);
  });

  test('an empty POST body (how LEAN calls it) reads the preferred organization', async () => {
    const bare = await call('account/read', { method: 'POST', creds: tenant.admin });
    expect(bare.body).toMatchObject({ success: true, organizationId: tenant.orgId });
    expect(typeof bare.body.creditBalance).toBe('number');
    const emptyJson = await call('account/read', { method: 'POST', rawBody: '', contentType: 'application/json', creds: tenant.admin });
    expect(emptyJson.body).toMatchObject({ success: true, organizationId: tenant.orgId });
  });

  test("another organization's id is not found", async () => {
    const answer = await call('account/read', { json: { organizationId: other.orgId }, creds: tenant.admin });
    expect(answer.status).toBe(200);
    expect(answer.body.success).toBe(false);
    expect(answer.body.errors?.[0]).toMatch(/not found/i);
    expect(answer.text).not.toContain('creditBalance');
  });
});

describe('organizations/read', () => {
  interface Item {
    productId: number;
    name: string;
    quantity: number;
    unitPrice: number;
    total: number;
  }
  interface Organization {
    id: string;
    name: string;
    seats: number;
    type: string;
    credit: { movements: unknown[]; balance: number };
    products: { name: string; items: Item[] }[];
    data: { signedTime: number; current: boolean };
    members: { id: number; name: string; isAdmin: boolean; email: string }[];
  }

  let org: Organization;

  beforeAll(async () => {
    const answer = await call('organizations/read', { json: { organizationId: tenant.orgId }, creds: tenant.admin });
    expect(answer.body.success).toBe(true);
    org = answer.body.organization as Organization;
  });

  test('id, name, seats, type and credit', () => {
    expect(org.id).toBe(tenant.orgId);
    expect(typeof org.name).toBe('string');
    expect(org.name.length).toBeGreaterThan(0);
    expect(isInt(org.seats)).toBe(true);
    expect(org.seats).toBeGreaterThanOrEqual(2);
    expect(typeof org.type).toBe('string');
    expect(Array.isArray(org.credit.movements)).toBe(true);
    expect(typeof org.credit.balance).toBe('number');
  });

  test("every product name is one LEAN's ProductJsonConverter knows; items are fully typed", () => {
    expect(org.products.length).toBeGreaterThan(0);
    for (const product of org.products) {
      expect(LEAN_PRODUCT_NAMES.has(product.name)).toBe(true);
      expect(Array.isArray(product.items)).toBe(true);
      for (const item of product.items) {
        expect(isInt(item.productId)).toBe(true);
        expect(typeof item.name).toBe('string');
        expect(isInt(item.quantity)).toBe(true);
        expect(typeof item.unitPrice).toBe('number');
        expect(typeof item.total).toBe('number');
      }
    }
  });

  test('the Data product lists the security masters LEAN checks (37, 137, 172)', () => {
    const data = org.products.find((p) => p.name === 'Data');
    expect(data).toBeDefined();
    const ids = data?.items.map((i) => i.productId) ?? [];
    expect(ids).toEqual(expect.arrayContaining([37, 137, 172]));
    for (const item of data?.items ?? []) expect(item.quantity).toBeGreaterThan(0);
  });

  test('data agreement: signedTime int, current true', () => {
    expect(isInt(org.data.signedTime)).toBe(true);
    expect(org.data.current).toBe(true);
  });

  test('members: id int, name, isAdmin bool, email; the admin and the member are there', () => {
    for (const m of org.members) {
      expect(isInt(m.id)).toBe(true);
      expect(typeof m.name).toBe('string');
      expect(typeof m.isAdmin).toBe('boolean');
      expect(typeof m.email).toBe('string');
    }
    expect(org.members.find((m) => m.id === tenant.admin.userId)).toMatchObject({ isAdmin: true, email: tenant.admin.email });
    expect(org.members.find((m) => m.id === member.userId)).toMatchObject({ isAdmin: false, email: member.email });
  });

  test('an empty POST body reads the preferred organization; another org is not found', async () => {
    const bare = await call('organizations/read', { method: 'POST', creds: tenant.admin });
    expect((bare.body.organization as Organization).id).toBe(tenant.orgId);
    const foreign = await call('organizations/read', { json: { organizationId: other.orgId }, creds: tenant.admin });
    expect(foreign.body.success).toBe(false);
    expect(foreign.body.errors?.[0]).toMatch(/not found/i);
  });
});

describe('organizations/list (lean whoami, lean init)', () => {
  interface Listed {
    id: string;
    name: string;
    type: string;
    ownerName: string;
    members: number;
    preferred: boolean;
  }

  test('the owner sees their organization with ownerName "You"', async () => {
    const answer = await call('organizations/list', { json: {}, creds: tenant.admin });
    const orgs = answer.body.organizations as Listed[];
    const mine = orgs.filter((o) => o.ownerName === 'You');
    expect(mine.map((o) => o.id)).toEqual([tenant.orgId]);
    expect(mine[0]).toMatchObject({ members: 2, preferred: true, type: expect.any(String), name: expect.any(String) });
  });

  test('a member who owns no organization also gets one "You" entry, so lean whoami works', async () => {
    const answer = await call('organizations/list', { json: {}, creds: member });
    const orgs = answer.body.organizations as Listed[];
    const you = orgs.filter((o) => o.ownerName === 'You');
    expect(you).toHaveLength(1);
    expect(you[0]?.id).toBe(tenant.orgId);
    // whoami then reads that organization and prints its first admin member.
    const read = await call('organizations/read', { json: { organizationId: you[0]?.id }, creds: member });
    const members = (read.body.organization as { members: { isAdmin: boolean }[] }).members;
    expect(members.some((m) => m.isAdmin)).toBe(true);
  });

  test('an owner who is also a member elsewhere: only the owned org is "You", the other shows its owner\'s name', async () => {
    const owner = other.admin;
    const { identityService } = await import('../../core/domain/identity/identity-service');
    await identityService.addMember(tenant.orgId, owner.userId, 'viewer');
    const orgs = (await call('organizations/list', { json: {}, creds: owner })).body.organizations as Listed[];
    expect(orgs.find((o) => o.id === other.orgId)?.ownerName).toBe('You');
    const foreign = orgs.find((o) => o.id === tenant.orgId);
    expect(foreign?.ownerName).not.toBe('You');
    expect(foreign?.ownerName).toMatch(/^Test admin/);
    expect(foreign?.preferred).toBe(false);
  });
});

test('organizations/encryption/keys/list/ with the trailing slash lean-cli uses: a keys list', async () => {
  const answer = await call('organizations/encryption/keys/list/', { json: { organizationId: tenant.orgId }, creds: tenant.admin });
  expect(answer.body.success).toBe(true);
  expect(Array.isArray(answer.body.keys)).toBe(true);
  for (const key of answer.body.keys as { name: unknown; hash: unknown }[]) {
    expect(typeof key.name).toBe('string');
    expect(typeof key.hash).toBe('string');
  }
});

test('user/read: user {name, profile} for the caller', async () => {
  const answer = await call('user/read', { json: {}, creds: member });
  expect(answer.body.success).toBe(true);
  const user = answer.body.user as Record<string, unknown>;
  expect(typeof user.name).toBe('string');
  expect(user.name).toMatch(/^Test member/);
  expect(typeof user.profile).toBe('string');
});

describe('nodes/read', () => {
  test('backtest, research and live lists with every field lean-cli requires, typed and non-null', async () => {
    const answer = await call('nodes/read', { json: { organizationId: tenant.orgId }, creds: tenant.admin });
    expect(answer.body.success).toBe(true);
    let count = 0;
    for (const kind of ['backtest', 'research', 'live'] as const) {
      const nodes = answer.body[kind] as Record<string, unknown>[];
      expect(Array.isArray(nodes)).toBe(true);
      expect(nodes.length).toBeGreaterThan(0);
      for (const node of nodes) {
        count++;
        for (const field of ['id', 'name', 'projectName', 'description', 'usedBy', 'sku']) expect(typeof node[field]).toBe('string');
        expect(typeof node.busy).toBe('boolean');
        const price = node.price as Record<string, unknown>;
        expect(typeof price.monthly).toBe('number');
        expect(typeof price.yearly).toBe('number');
        for (const field of ['speed', 'cpu', 'ram', 'assets']) expect(typeof node[field]).toBe('number');
        expect(isInt(node.cpu)).toBe(true);
        expect(isInt(node.assets)).toBe(true);
        expect(node.sku).toMatch(SKU);
        expect(String(node.sku)[0]).toBe(kind === 'backtest' ? 'B' : kind === 'research' ? 'R' : 'L');
        if ('host' in node) expect(node.host === null || typeof node.host === 'string').toBe(true);
      }
    }
    expect(count).toBeGreaterThanOrEqual(3);
  });

  test("another organization's nodes are not found", async () => {
    const answer = await call('nodes/read', { json: { organizationId: other.orgId }, creds: tenant.admin });
    expect(answer.body.success).toBe(false);
    expect(answer.body.errors?.[0]).toMatch(/not found/i);
  });
});

test('lean/versions/read (empty POST, as LEAN sends it): typed versions', async () => {
  const answer = await call('lean/versions/read', { method: 'POST', creds: tenant.admin });
  expect(answer.body.success).toBe(true);
  const versions = answer.body.versions as Record<string, unknown>[];
  expect(versions.length).toBeGreaterThan(0);
  for (const v of versions) {
    expect(isInt(v.id)).toBe(true);
    for (const field of ['created', 'description', 'leanHash', 'leanCloudHash', 'name', 'ref']) expect(typeof v[field]).toBe('string');
    expect(v.created).toMatch(QC_DATE);
    expect(typeof v.public).toBe('boolean');
  }
});

test('lean/environments/read (GET, as lean-cli calls it): typed environments', async () => {
  const answer = await call('lean/environments/read', { method: 'GET', creds: tenant.admin });
  expect(answer.body.success).toBe(true);
  const environments = answer.body.environments as Record<string, unknown>[];
  expect(environments.length).toBeGreaterThan(0);
  for (const e of environments) {
    expect(isInt(e.id)).toBe(true);
    expect(typeof e.name).toBe('string');
    expect(typeof e.description).toBe('string');
    expect(typeof e.public).toBe('boolean');
    if ('path' in e) expect(e.path === null || typeof e.path === 'string').toBe(true);
  }
});

test('health answers without credentials: status ok, table and bucket ok', async () => {
  const answer = await call('health', { method: 'GET' });
  expect(answer.status).toBe(200);
  expect(answer.body).toMatchObject({ success: true, status: 'ok', checks: { table: 'ok', bucket: 'ok' } });
});

test('every other account endpoint refuses a request without credentials', async () => {
  for (const endpoint of ['account/read', 'organizations/read', 'organizations/list', 'user/read', 'nodes/read', 'lean/versions/read']) {
    const answer = await call(endpoint, { json: {} });
    expect(answer.body.success).toBe(false);
    expect(answer.body.errors?.[0]?.startsWith("Hash doesn't match.")).toBe(true);
  }
});
