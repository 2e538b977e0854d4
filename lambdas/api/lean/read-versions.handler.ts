import { LEAN_VERSIONS } from '../../../core/shared/catalog';
import { apiHandler } from '../pipeline';
import { route } from '../routes/lean';

export const handler = apiHandler(route('lean/versions/read'), async () => ({ versions: LEAN_VERSIONS }));
