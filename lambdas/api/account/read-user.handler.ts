import { organizationService } from '../../../core/domain/identity/organization-service';
import { apiHandler } from '../pipeline';
import { route } from '../routes/account';

export const handler = apiHandler(route('user/read'), (input, ctx) => organizationService.readUser(ctx.principal, input.organizationId));
