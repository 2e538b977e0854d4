import { LEAN_ENVIRONMENTS } from '../../../core/shared/catalog';
import { apiHandler } from '../pipeline';
import { route } from '../routes/lean';

export const handler = apiHandler(route('lean/environments/read'), async () => ({ environments: LEAN_ENVIRONMENTS }));
