import { LEAN_VERSIONS } from '../../domain/catalog';
import { apiHandler } from '../pipeline';
import { route } from '../routes';

export const handler = apiHandler(route('lean/versions/read'), async () => ({ versions: LEAN_VERSIONS }));
