import { organizationService } from '../../../core/domain/identity/organization-service';
import { apiHandler } from '../pipeline';
import { route } from '../routes/account';

export const handler = apiHandler(route('account/read'), (input, ctx) => organizationService.readAccount(ctx.principal, input.organizationId));
