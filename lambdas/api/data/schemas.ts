import * as z from '../../../core/shared/zod';
import { organizationIdField, qc } from '../schema';

/**
 * Request schemas of the market data endpoints (contract §3.9). Paths are checked by the data
 * service (shared path rules plus S3 key rules), so a bad path is named the same way everywhere.
 */
const filePath = qc.text(1024);

export const dataSchemas = {
  dataRead: z.object({
    // LEAN and lean-cli always send "link"; it is the only format this server serves.
    format: z._default(qc.optional(z.literal('link', { error: "must be 'link'" })), 'link'),
    filePath,
    organizationId: organizationIdField,
  }),
  dataList: z.object({ filePath, organizationId: organizationIdField }),
};
