import { organizationService } from '../../../core/domain/identity/organization-service';
import { apiHandler } from '../pipeline';
import { route } from '../routes/account';

export const handler = apiHandler(route('organizations/list'), (_input, ctx) => organizationService.list(ctx.principal));
