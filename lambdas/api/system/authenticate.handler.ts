import { apiHandler } from '../pipeline';
import { route } from '../routes/system';

/** Reaching the handler means the credentials were accepted (lean-cli's `lean login` check). */
export const handler = apiHandler(route('authenticate'), async () => ({}));
