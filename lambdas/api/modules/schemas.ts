import * as z from '../../../core/shared/zod';
import { organizationIdField, qc } from '../schema';

/** Request schemas of the module endpoints (contract §3.11); lean-cli sends both as JSON. */
const productId = z.pipe(qc.int(), z.number().check(z.int(), z.positive('must be a positive product id')));

export const moduleSchemas = {
  moduleList: z.object({ productId, organizationId: organizationIdField }),
  moduleRead: z.object({ productId, organizationId: organizationIdField, fileName: qc.text(255) }),
};
