import * as z from 'zod';

/**
 * The request schemas are zod/mini, which keeps the Lambda bundles small; the OpenAPI generator
 * (@asteasolutions/zod-to-openapi) walks classic zod schemas and calls their methods (`meta()`,
 * `openapi()`). Both flavours are built on the same core definitions, so a classic schema made
 * from a mini schema's definition is the same schema with classic's methods. `classicCopies()`
 * gives a function that makes such copies, node by node, for the generator only.
 */
type Def = Record<string, unknown> & { type: string };
type Constructor = new (def: Def) => z.ZodType;

const CLASSIC: Record<string, Constructor> = {
  array: z.ZodArray,
  boolean: z.ZodBoolean,
  custom: z.ZodCustom,
  default: z.ZodDefault,
  enum: z.ZodEnum,
  literal: z.ZodLiteral,
  number: z.ZodNumber,
  object: z.ZodObject,
  optional: z.ZodOptional,
  pipe: z.ZodPipe,
  record: z.ZodRecord,
  string: z.ZodString,
  transform: z.ZodTransform,
  union: z.ZodUnion,
} as unknown as Record<string, Constructor>;

/** Where each kind of schema keeps the schemas inside it. */
const CHILDREN: Record<string, string[]> = {
  array: ['element'],
  default: ['innerType'],
  optional: ['innerType'],
  pipe: ['in', 'out'],
  record: ['keyType', 'valueType'],
};

export function classicCopies(): (schema: z.core.$ZodType) => z.ZodType {
  // A schema used in several places gets one copy, as the originals share one schema.
  const copies = new Map<z.core.$ZodType, z.ZodType>();
  const copy = (schema: z.core.$ZodType): z.ZodType => {
    const known = copies.get(schema);
    if (known) return known;
    const def = { ...(schema._zod.def as unknown as Def) };
    const Classic = CLASSIC[def.type];
    if (!Classic) throw new Error(`classicCopies: no classic zod for a '${def.type}' schema; add it to scripts/classic-zod.ts`);
    for (const key of CHILDREN[def.type] ?? []) def[key] = copy(def[key] as z.core.$ZodType);
    if (def.type === 'object') {
      def.shape = Object.fromEntries(Object.entries(def.shape as z.core.$ZodShape).map(([name, field]) => [name, copy(field)]));
      if (def.catchall) def.catchall = copy(def.catchall as z.core.$ZodType);
    }
    if (def.type === 'union') def.options = (def.options as z.core.$ZodType[]).map(copy);
    let classic = new Classic(def);
    const meta = z.globalRegistry.get(schema);
    if (meta) classic = classic.meta(meta);
    copies.set(schema, classic);
    return classic;
  };
  return copy;
}
