import { objectSchemas } from '../objects/schemas';
import { defineRoute, type RouteDef, routeLookup } from './route-types';

const objectsRead = { table: 'read', buckets: { objects: 'read' } } as const;
const objectsWrite = { table: 'readWrite', buckets: { objects: 'readWrite' } } as const;

/** Route group `objects` (the full table: ./index.ts): the object store, one prefix per organisation. */
export const objectRoutes = [
  defineRoute({
    path: 'object/set',
    group: 'objects',
    summary: 'Stores a value (multipart file part objectData) under a key of the organization, within its quota.',
    entry: 'objects/set-object',
    schema: objectSchemas.objectSet,
    role: 'member',
    mutating: true,
    access: objectsWrite,
  }),
  defineRoute({
    path: 'object/get',
    group: 'objects',
    summary: 'Step 1 (keys): records a zip download job for the zip worker; step 2 (jobId): url null while it runs, then its presigned link.',
    entry: 'objects/get-object',
    schema: objectSchemas.objectGet,
    role: 'viewer',
    mutating: false,
    // Writes the job's manifest under jobs/ and its record, and queues it.
    access: { ...objectsWrite, objectZips: 'send' },
  }),
  defineRoute({
    path: 'object/properties',
    group: 'objects',
    summary: "An object's metadata: size, md5, mime, times and a preview of small text.",
    entry: 'objects/object-properties',
    schema: objectSchemas.objectKey,
    role: 'viewer',
    mutating: false,
    access: objectsRead,
  }),
  defineRoute({
    path: 'object/list',
    group: 'objects',
    summary: 'One page of the objects and folders directly under a path, with the storage used.',
    entry: 'objects/list-objects',
    schema: objectSchemas.objectList,
    role: 'viewer',
    mutating: false,
    access: objectsRead,
  }),
  defineRoute({
    path: 'object/delete',
    group: 'objects',
    summary: 'Deletes an object, or a folder with everything under it.',
    entry: 'objects/delete-object',
    schema: objectSchemas.objectKey,
    role: 'member',
    mutating: true,
    access: objectsWrite,
  }),
] as const satisfies readonly RouteDef[];

/** The typed route of a path of this group, for its handler files. */
export const route = routeLookup(objectRoutes);
