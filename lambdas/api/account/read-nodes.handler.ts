import { organizationService } from '../../../core/domain/identity/organization-service';
import { apiHandler } from '../pipeline';
import { route } from '../routes/account';

export const handler = apiHandler(route('nodes/read'), (input, ctx) => organizationService.nodes(ctx.principal, input.organizationId));
