import { fileService } from '../../../core/domain/files/file-service';
import { apiHandler } from '../pipeline';
import { route } from '../routes/files';

export const handler = apiHandler(route('files/read'), (input, ctx) => fileService.read(ctx.principal, input));
