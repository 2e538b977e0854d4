import { randomBytes } from 'node:crypto';
import type { APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { auditRepository } from '../../core/data/identity/audit-repository';
import { jobCredentialRepository } from '../../core/data/identity/job-credential-repository';
import { identityService } from '../../core/domain/identity/identity-service';
import { JOB_CREDENTIAL_IDS, JOB_ROUTES } from '../../core/domain/identity/job-credential';
import { authenticate } from '../../lambdas/auth/authenticate';
import { handler as authorizer } from '../../lambdas/auth/authorizer.handler';
import { jobCredentials, type LeanApiCredential } from '../../runner/job-credentials';
import { type Answer, type Creds, call, qcHeaders } from '../support/api';
import { algorithm, pythonProject } from '../support/backtests';
import { createTenant, type Tenant } from '../support/tenants';

/**
 * Job credentials over HTTP against the local server, signed exactly as LEAN signs
 * (Lean:`Api/ApiConnection.cs`: Basic base64(<job-user-id>:sha256(<token>:<ts>)) + Timestamp):
 * what a job reaches in its own organisation and project, and what it is refused.
 */
jest.setTimeout(60_000);

let tenant: Tenant;
let other: Tenant;
let project: number;
let sibling: number;
let foreign: number;

beforeAll(async () => {
  [tenant, other] = await Promise.all([createTenant('job credentials'), createTenant('job credentials other')]);
  project = (await pythonProject(tenant.cli, 'Jobs/Own', algorithm())).projectId;
  sibling = (await pythonProject(tenant.cli, 'Jobs/Sibling', algorithm())).projectId;
  foreign = (await pythonProject(other.cli, 'Jobs/Foreign', algorithm())).projectId;
});

function mint(extra: Partial<Parameters<typeof jobCredentials>[0]> = {}): Promise<LeanApiCredential> {
  return jobCredentials({
    orgId: tenant.orgId,
    projectId: project,
    userId: tenant.admin.userId,
    job: { kind: 'backtest', id: randomBytes(16).toString('hex') },
    maxSeconds: 600,
    ...extra,
  });
}

const creds = (c: LeanApiCredential): Creds => ({ userId: c.userId, token: c.token });
const post = (endpoint: string, body: Record<string, unknown>, as: Creds): Promise<Answer> => call(endpoint, { json: body, creds: as });

function setObject(as: Creds, organizationId: string, key: string, data: string): Promise<Answer> {
  const form = new FormData();
  form.append('organizationId', organizationId);
  form.append('key', key);
  form.append('objectData', new Blob([data]), 'objectData');
  return call('object/set', { multipart: form, creds: as });
}

test("LEAN's job-user-id is the credential's own 32-bit id, outside the users' range; the token is not the user's", async () => {
  const credential = await mint();
  expect(credential.userId).toBeGreaterThanOrEqual(JOB_CREDENTIAL_IDS.min);
  expect(credential.userId).toBeLessThanOrEqual(2 ** 31 - 1);
  expect(credential.token).toMatch(/^[0-9a-f]{64}$/);
  expect(credential.token).not.toBe(tenant.admin.token);
  // Stored like API tokens: encrypted, never the clear value.
  const stored = await jobCredentialRepository.get(credential.userId);
  expect(stored).toMatchObject({ orgId: tenant.orgId, projectId: project, userId: tenant.admin.userId, job: { kind: 'backtest' } });
  expect(JSON.stringify(stored)).not.toContain(credential.token);
  // A backtest's lasts its longest run plus the margin, not longer.
  expect(Date.parse(credential.expiresAt) - Date.now()).toBeLessThanOrEqual((600 + 15 * 60) * 1000);
});

test("what ApiDataProvider calls, in the job's organisation: data/prices, organizations/read, and the object store", async () => {
  const as = creds(await mint());
  const prices = await post('data/prices', { organizationId: tenant.orgId }, as);
  expect(prices.body).toMatchObject({ success: true });
  const org = await post('organizations/read', { organizationId: tenant.orgId }, as);
  expect(org.body).toMatchObject({ success: true, organization: { id: tenant.orgId } });
  expect((await setObject(as, tenant.orgId, 'jobs/state.json', '{"n":1}')).body).toMatchObject({ success: true });
  const props = await post('object/properties', { organizationId: tenant.orgId, key: 'jobs/state.json' }, as);
  expect(props.body).toMatchObject({ success: true });
  const project_ = await post('projects/read', { projectId: project }, as);
  expect(project_.body).toMatchObject({ success: true, projects: [{ projectId: project }] });
});

test('changes made with a job credential are audited as the job, under its user', async () => {
  const credential = await mint();
  expect((await setObject(creds(credential), tenant.orgId, 'jobs/audited.txt', 'x')).body.success).toBe(true);
  const events = await auditRepository.query({ orgId: tenant.orgId, limit: 50 });
  const event = events.find((e) => e.action === 'object/set' && e.credentialId === String(credential.userId));
  expect(event).toMatchObject({ userId: tenant.admin.userId, authMethod: 'job' });
});

test("another organisation's data and another project, even in its own organisation, are not found", async () => {
  const as = creds(await mint());
  const prices = await post('data/prices', { organizationId: other.orgId }, as);
  expect(prices.body).toMatchObject({ success: false, errors: ['Organization not found'] });
  const objects = await post('object/list', { organizationId: other.orgId, path: '/' }, as);
  expect(objects.body).toMatchObject({ success: false, errors: ['Organization not found'] });
  for (const projectId of [sibling, foreign]) {
    const read = await post('projects/read', { projectId }, as);
    expect(read.body).toMatchObject({ success: false, errors: ['Project not found'] });
  }
  // projects/read without a project would list every project: a job names its own.
  expect((await post('projects/read', {}, as)).body).toMatchObject({ success: false, errors: ['Project not found'] });
});

test('user-only endpoints are refused with the envelope, before their input is even read', async () => {
  const as = creds(await mint());
  for (const [endpoint, body] of [
    ['projects/create', { name: 'Jobs/Escape', language: 'Py', organizationId: tenant.orgId }],
    ['account/read', { organizationId: tenant.orgId }],
    ['backtests/create', {}],
    ['files/read', { projectId: project }],
    ['projects/delete', { projectId: project }],
  ] as const) {
    const answer = await post(endpoint, body, as);
    expect(answer.status).toBe(200);
    expect(answer.body.success).toBe(false);
    expect(answer.body.errors?.[0]).toMatch(new RegExp(`cannot call ${endpoint.replace('/', '\\/')}`));
  }
});

test('refused after it expires, and once revoked (the job ended), with the QuantConnect envelope', async () => {
  const credential = await mint();
  const headers = qcHeaders(creds(credential));
  const later = Date.parse(credential.expiresAt) + 1000;
  await expect(authenticate({ headers, query: {} }, later)).rejects.toThrow(/^Hash doesn't match\. This job credential expired/);
  // Still valid now: the same signature is accepted.
  await expect(authenticate({ headers, query: {} })).resolves.toMatchObject({ authMethod: 'job', userId: tenant.admin.userId });

  await credential.revoke();
  const refused = await post('data/prices', { organizationId: tenant.orgId }, creds(credential));
  expect(refused.status).toBe(200);
  expect(refused.body).toMatchObject({ success: false });
  expect(refused.body.errors?.[0]).toMatch(/^Hash doesn't match\. This job credential was revoked when its backtest .* ended\./);
  // A revoked credential cannot be renewed back to life.
  expect(await credential.renew()).toBe(false);
});

test('a wrong token for a job id is an ordinary invalid-credentials answer', async () => {
  const credential = await mint();
  const answer = await post('data/prices', { organizationId: tenant.orgId }, { userId: credential.userId, token: tenant.admin.token });
  expect(answer.body).toMatchObject({ success: false });
  expect(answer.body.errors?.[0]).toMatch(/^Hash doesn't match\. Invalid credentials/);
});

test('a live deployment renews its credential; the user leaving the organisation ends it', async () => {
  const credential = await mint({ job: { kind: 'live', id: `L-${randomBytes(16).toString('hex')}` }, maxSeconds: undefined });
  expect(Date.parse(credential.expiresAt) - Date.now()).toBeGreaterThan(23 * 3600 * 1000);
  const before = (await jobCredentialRepository.get(credential.userId))?.expiresAt ?? '';
  await new Promise((r) => setTimeout(r, 5));
  expect(await credential.renew()).toBe(true);
  expect(Date.parse((await jobCredentialRepository.get(credential.userId))?.expiresAt ?? '')).toBeGreaterThan(Date.parse(before));

  const member = await identityService.createUser({ name: 'Leaving', email: `leave-${randomBytes(4).toString('hex')}@test.local` });
  await identityService.addMember(tenant.orgId, member.id, 'member');
  const theirs = await mint({ userId: member.id });
  expect((await post('data/prices', { organizationId: tenant.orgId }, creds(theirs))).body.success).toBe(true);
  await identityService.removeMember(tenant.orgId, member.id);
  expect((await post('data/prices', { organizationId: tenant.orgId }, creds(theirs))).body.success).toBe(false);
});

test('a user without any API token gets a working job credential (issue 20 item 15)', async () => {
  const user = await identityService.createUser({ name: 'No Token', email: `notoken-${randomBytes(4).toString('hex')}@test.local` });
  const org = await identityService.createOrganization({ name: `No token ${randomBytes(3).toString('hex')}`, ownerUserId: user.id });
  const credential = await jobCredentials({ orgId: org.id, projectId: 1, userId: user.id, job: { kind: 'backtest', id: 'b'.repeat(32) }, maxSeconds: 60 });
  const as = creds(credential);
  expect((await post('data/prices', { organizationId: org.id }, as)).body).toMatchObject({ success: true });
  expect((await post('organizations/read', { organizationId: org.id }, as)).body).toMatchObject({ success: true });
});

test('in AWS the authorizer allows a job credential only the endpoints a job may call', async () => {
  const credential = await mint();
  const methodArn = 'arn:aws:execute-api:us-east-1:123456789012:abc123/prod/POST/api/v2/data/prices';
  const event = { type: 'REQUEST', methodArn, headers: qcHeaders(creds(credential)), queryStringParameters: {} } as unknown as APIGatewayRequestAuthorizerEvent;
  const decision = await authorizer(event);
  const statement = decision.policyDocument.Statement[0] as { Effect: string; Resource: string[] };
  expect(statement.Effect).toBe('Allow');
  expect(statement.Resource).toEqual(Object.keys(JOB_ROUTES).map((path) => `arn:aws:execute-api:us-east-1:123456789012:abc123/prod/*/*/${path}`));
  expect(decision.context).toMatchObject({
    authMethod: 'job',
    job: `backtest:${(await jobCredentialRepository.get(credential.userId))?.job.id}:${tenant.orgId}:${project}`,
  });
  expect(decision.usageIdentifierKey).toBe(tenant.orgId);

  // A user-only endpoint: denied by the authorizer itself, with the reason the envelope carries.
  const denied = await authorizer({ ...event, methodArn: methodArn.replace('POST/api/v2/data/prices', 'POST/api/v2/projects/create') });
  expect(denied.policyDocument.Statement[0]).toMatchObject({ Effect: 'Deny' });
  expect(denied.context?.message).toMatch(/^A job credential \(backtest [0-9a-f]{32}\) cannot call projects\/create/);
});
