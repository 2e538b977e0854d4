import { noUsagePlanKeys, type UsagePlanKeys } from '../ports/usage-plan-keys';

/** The API Gateway side of per-organisation rate limits (the port: core/ports/usage-plan-keys.ts). */
export function apiKeyName(orgId: string): string {
  return `lcs-org-${orgId}`;
}

const isConflict = (err: unknown) => (err as Error)?.name === 'ConflictException';

type ClientConfig = import('@aws-sdk/client-api-gateway').APIGatewayClientConfig;

/** The API Gateway implementation; the SDK is loaded on first use. `clientConfig` is a region or SDK client settings. */
export function apiGatewayUsagePlanKeys(usagePlanId: string, clientConfig: string | ClientConfig = {}): UsagePlanKeys {
  let client: import('@aws-sdk/client-api-gateway').APIGatewayClient | undefined;
  const gateway = async () => {
    const sdk = await import('@aws-sdk/client-api-gateway');
    client ??= new sdk.APIGatewayClient(typeof clientConfig === 'string' ? { region: clientConfig } : clientConfig);
    return { client, sdk };
  };

  /** The key whose value is the organisation id, if one exists (by name first, then every key). */
  const findKey = async (orgId: string, byNameOnly: boolean): Promise<string | undefined> => {
    const { client: c, sdk } = await gateway();
    let position: string | undefined;
    do {
      const page = await c.send(
        new sdk.GetApiKeysCommand({ includeValues: true, limit: 500, position, ...(byNameOnly ? { nameQuery: apiKeyName(orgId) } : {}) }),
      );
      const found = page.items?.find((k) => k.value === orgId);
      if (found?.id) return found.id;
      position = page.position;
    } while (position);
    return undefined;
  };

  return {
    async attach(org) {
      const { client: c, sdk } = await gateway();
      let keyId = await findKey(org.id, true);
      if (!keyId) {
        try {
          const created = await c.send(
            new sdk.CreateApiKeyCommand({ name: apiKeyName(org.id), value: org.id, enabled: true, description: `Rate limit key of organization ${org.name}` }),
          );
          keyId = created.id;
        } catch (err) {
          // The value exists under another name (API key values are unique): use that key.
          if (!isConflict(err)) throw err;
          keyId = await findKey(org.id, false);
        }
      }
      if (!keyId) throw new Error(`Could not create or find the API key of organization ${org.id}`);
      try {
        await c.send(new sdk.CreateUsagePlanKeyCommand({ usagePlanId, keyId, keyType: 'API_KEY' }));
      } catch (err) {
        if (!isConflict(err)) throw err; // already on the plan
      }
    },
  };
}

/** From the environment: `USAGE_PLAN_ID` set (AWS) gives the API Gateway port, unset (local mode) the no-op. */
export function usagePlanKeys(usagePlanId = process.env.USAGE_PLAN_ID, region = process.env.AWS_REGION): UsagePlanKeys {
  return usagePlanId ? apiGatewayUsagePlanKeys(usagePlanId, region ? { region } : {}) : noUsagePlanKeys;
}
