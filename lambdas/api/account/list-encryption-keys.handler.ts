import { organizationService } from '../../../core/domain/identity/organization-service';
import { apiHandler } from '../pipeline';
import { route } from '../routes/account';

export const handler = apiHandler(route('organizations/encryption/keys/list'), (input, ctx) =>
  organizationService.encryptionKeys(ctx.principal, input.organizationId),
);
