import type { CdkCustomResourceEvent, CdkCustomResourceResponse } from 'aws-lambda';
import { secretsManagerStore } from '../../core/aws/secrets-manager-store';
import { usagePlanKeys } from '../../core/aws/usage-plan-keys';
import { ensureFirstAdmin } from '../../core/domain/identity/first-admin';
import { requireBindings } from '../../core/shared/config';
import { logger } from '../../core/shared/logger';
import * as z from '../../core/shared/zod';

/**
 * CloudFormation custom resource (CDK Provider framework, `onEvent`) that creates the first admin
 * at deploy time. Create, and Update while the admin does not exist yet, run the idempotent
 * `ensureFirstAdmin`; Delete does nothing, because the data is retained with the table.
 * The token goes only to the secret, never into the resource's data or the logs.
 *
 * Environment: FIRST_ADMIN_EMAIL, FIRST_ADMIN_NAME, FIRST_ADMIN_ORGANIZATION, FIRST_ADMIN_SECRET_ARN,
 * USAGE_PLAN_ID, plus the table and KMS settings every function gets (TABLE_NAME, LCS_TOKEN_KMS_KEY_ID).
 * Resource properties `Email`, `Name`, `Organization` override the first three when given.
 */
// Cold start: without its table this function can do nothing; say so at once, naming the variable.
requireBindings(['TABLE_NAME']);

const PHYSICAL_ID = 'lcs-first-admin';

const env = z.object({
  FIRST_ADMIN_EMAIL: z.email(),
  FIRST_ADMIN_NAME: z._default(z.string().check(z.minLength(1)), 'Administrator'),
  FIRST_ADMIN_ORGANIZATION: z._default(z.string().check(z.minLength(1)), 'Default Organization'),
  FIRST_ADMIN_SECRET_ARN: z.string().check(z.minLength(1)),
  USAGE_PLAN_ID: z.optional(z.string()),
  AWS_REGION: z.optional(z.string()),
});

export async function handler(event: CdkCustomResourceEvent): Promise<CdkCustomResourceResponse> {
  if (event.RequestType === 'Delete') return { PhysicalResourceId: event.PhysicalResourceId };
  const parsed = env.safeParse({ ...process.env, ...pick(event.ResourceProperties) });
  if (!parsed.success) throw new Error(`First admin: invalid settings: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const settings = parsed.data;
  const result = await ensureFirstAdmin(
    { email: settings.FIRST_ADMIN_EMAIL, name: settings.FIRST_ADMIN_NAME, organization: settings.FIRST_ADMIN_ORGANIZATION },
    {
      secrets: secretsManagerStore(settings.FIRST_ADMIN_SECRET_ARN, settings.AWS_REGION),
      usagePlanKeys: usagePlanKeys(settings.USAGE_PLAN_ID, settings.AWS_REGION),
    },
  );
  logger.info('first admin ensured', { requestType: event.RequestType, ...result });
  return {
    PhysicalResourceId: event.RequestType === 'Update' ? event.PhysicalResourceId : PHYSICAL_ID,
    Data: { UserId: String(result.userId), OrganizationId: result.organizationId },
  };
}

function pick(props: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof props.Email === 'string' && props.Email) out.FIRST_ADMIN_EMAIL = props.Email;
  if (typeof props.Name === 'string' && props.Name) out.FIRST_ADMIN_NAME = props.Name;
  if (typeof props.Organization === 'string' && props.Organization) out.FIRST_ADMIN_ORGANIZATION = props.Organization;
  return out;
}
