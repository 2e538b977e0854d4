import { routes } from '../../lambdas/api/routes';
import type { RouteDef } from '../../lambdas/api/routes/route-types';
import type { Answer } from '../support/api';
import { buildFixture, type Fixture, type Params, rand, sampleFor, stopLiveDeployments, validSummary } from '../support/route-samples';
import { postAs, rows, schemaFields, snapshotOf, summary } from './contract-helpers';

/**
 * Tenant isolation, generated from the route table: for every route whose request names a
 * project, a library, an organisation or a collaborator, a caller from organisation B who uses
 * organisation A's id gets "not found", word for word what a non-existent id gets (no existence
 * leak), and nothing in organisation A changes.
 */
// Live samples compile and deploy (a few seconds each), for both organisations.
jest.setTimeout(180_000);

let a: Fixture;
let b: Fixture;

/** Request fields that name something owned by an organisation (projects, libraries, nodes, members), with A's value and a value that exists nowhere. */
const SCOPED: Record<string, { foreign: (a: Fixture) => unknown; missing: () => unknown }> = {
  projectId: { foreign: (x) => x.projectId, missing: () => 1_900_000_000 + Math.floor(Math.random() * 1_000_000) },
  libraryId: { foreign: (x) => x.libraryId, missing: () => 1_900_000_000 + Math.floor(Math.random() * 1_000_000) },
  organizationId: { foreign: (x) => x.orgId, missing: () => rand(16) },
  collaboratorUserId: { foreign: (x) => String(x.member.userId), missing: () => String(900_000_000_000 + Math.floor(Math.random() * 1_000_000)) },
  libraries: { foreign: (x) => [x.libraryId], missing: () => [1_900_000_000 + Math.floor(Math.random() * 1_000_000)] },
  nodes: { foreign: (x) => [x.nodeId], missing: () => [`B2-8-${rand()}`] },
  collaboratorId: { foreign: (x) => String(x.member.userId), missing: () => String(900_000_000_000 + Math.floor(Math.random() * 1_000_000)) },
};

const scopedFields = (route: RouteDef) => schemaFields(route).filter((field) => field in SCOPED);
const scopedRoutes = routes.filter((r) => r.role !== 'public' && scopedFields(r).length > 0);

/** The errors with the two ids replaced by a placeholder, so texts that name the id compare equal. */
function normalised(answer: Answer, ...ids: unknown[]): string[] {
  const texts = ids.flatMap((id) => (Array.isArray(id) ? id : [id])).map(String);
  return (answer.body.errors ?? []).map((e) => texts.reduce<string>((text, id) => text.split(id).join('<id>'), e));
}

beforeAll(async () => {
  [a, b] = await Promise.all([buildFixture('tenant-a'), buildFixture('tenant-b')]);
}, 60_000);

// The samples deploy live algorithms: stop them, so later files do not share the machine with them.
afterAll(() => Promise.all([stopLiveDeployments(a), stopLiveDeployments(b)]), 120_000);

test('the routes that name an organisation-owned resource are found from the schemas', () => {
  const paths = scopedRoutes.map((r) => r.path);
  for (const path of [
    'projects/read',
    'projects/delete',
    'files/read',
    'files/patch',
    'account/read',
    'projects/collaboration/create',
    'projects/library/create',
    'projects/nodes/update',
  ]) {
    expect(paths).toContain(path);
  }
});

test("organizations/list of B does not show A's organization", async () => {
  const list = await postAs('organizations/list', {}, b.admin);
  const ids = (list.body.organizations as { id: string }[]).map((o) => o.id);
  expect(ids).toContain(b.orgId);
  expect(ids).not.toContain(a.orgId);
});

test.each(rows(scopedRoutes))("%s: org B using org A's ids gets 'not found', the same as for ids that do not exist", async (_path, route) => {
  const sample = sampleFor(route);
  // A's own valid request, sent by B's admin: refused as not found.
  const aRequest = await sample(a);
  const before = await snapshotOf(a);
  const whole = await postAs(route, aRequest, b.admin);
  expect(summary(whole)).toEqual({ status: 200, success: false, errors: [expect.stringMatching(/not found/i)] });

  // B's own valid request with one field pointing into A, against the same field pointing nowhere.
  for (const field of scopedFields(route)) {
    const foreign = SCOPED[field]!.foreign(a);
    const missing = SCOPED[field]!.missing();
    const intoA: Params = { ...(await sample(b)), [field]: foreign };
    const nowhere: Params = { ...(await sample(b)), [field]: missing };
    const [fromB, fromNowhere] = [await postAs(route, intoA, b.admin), await postAs(route, nowhere, b.admin)];
    expect({ field, ...summary(fromB) }).toEqual({ field, status: 200, success: false, errors: [expect.stringMatching(/not found/i)] });
    expect({ field, errors: normalised(fromB, foreign, missing) }).toEqual({ field, errors: normalised(fromNowhere, foreign, missing) });
  }
  expect(await snapshotOf(a)).toEqual(before);

  // Control: A's request was valid all along, for A's own admin.
  const own = await postAs(route, aRequest, a.admin);
  expect(summary(own)).toEqual(validSummary(route.path));
});

test('a member of A who is not a collaborator sees A projects as not found, like B does (same wording)', async () => {
  const projectId = await a.freshProject([{ name: 'main.py', content: 'x = 1\n' }]);
  const viaMember = await postAs('files/read', { projectId }, a.member);
  const viaB = await postAs('files/read', { projectId }, b.admin);
  expect(summary(viaMember)).toEqual({ status: 200, success: false, errors: [expect.stringMatching(/not found/i)] });
  expect(viaMember.body.errors).toEqual(viaB.body.errors);
});
