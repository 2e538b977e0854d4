import { apiHandler } from '../pipeline';
import { route } from '../routes/services';

/** QuantConnect's news feed for its terminal (contract §3.11: `news: [...]` or null); this server publishes none. */
export const handler = apiHandler(route('services/terminal-news'), async () => ({ news: [] }));
