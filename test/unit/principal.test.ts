import { type Principal, principalFromContext, principalToContext } from '../../core/shared/principal';

/** The principal crosses from the authorizer to the endpoint as flat strings (API Gateway context). */
const principal: Principal = {
  userId: 100001,
  authMethod: 'qc-hash',
  credentialId: 'tok_abc',
  preferredOrgId: 'a'.repeat(32),
  memberships: [
    { orgId: 'a'.repeat(32), role: 'admin' },
    { orgId: 'b'.repeat(32), role: 'viewer' },
    { orgId: 'c'.repeat(32), role: 'member' },
  ],
};

test('round trip keeps every field', () => {
  expect(principalFromContext(principalToContext(principal))).toEqual(principal);
});

test('the context is flat: every value is a string', () => {
  const context = principalToContext(principal);
  for (const value of Object.values(context)) expect(typeof value).toBe('string');
  expect(context.userId).toBe('100001');
});

test('round trip without a preferred organisation or memberships', () => {
  const lonely: Principal = { userId: 5, authMethod: 'api-key', credentialId: 'lcs_x', memberships: [] };
  const back = principalFromContext(principalToContext(lonely));
  expect(back).toEqual({ ...lonely, preferredOrgId: undefined });
  expect(back?.preferredOrgId).toBeUndefined();
});

test('API Gateway adds principalId and a numeric integrationLatency; they are ignored', () => {
  const context = { ...principalToContext(principal), principalId: '100001', integrationLatency: 12 };
  expect(principalFromContext(context)).toEqual(principal);
});

test('no context, or no valid user id, gives no principal', () => {
  expect(principalFromContext(null)).toBeUndefined();
  expect(principalFromContext(undefined)).toBeUndefined();
  expect(principalFromContext({})).toBeUndefined();
  expect(principalFromContext({ ...principalToContext(principal), userId: 'abc' })).toBeUndefined();
  expect(principalFromContext({ ...principalToContext(principal), userId: '0' })).toBeUndefined();
  expect(principalFromContext({ ...principalToContext(principal), userId: '-4' })).toBeUndefined();
});

test('unknown roles and empty entries are dropped, never upgraded', () => {
  const back = principalFromContext({ ...principalToContext(principal), memberships: `${'d'.repeat(32)}:owner,,${'e'.repeat(32)}:member,:admin` });
  expect(back?.memberships).toEqual([{ orgId: 'e'.repeat(32), role: 'member' }]);
});
