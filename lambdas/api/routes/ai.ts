import { aiSchemas } from '../ai/schemas';
import { defineRoute, type RouteDef, routeLookup, tableRead } from './route-types';

/** The model-backed tools may call Amazon Bedrock (bedrock:InvokeModel on the configured model only). */
const aiModel = { table: 'read', bedrock: true } as const;

/** Route group `ai` (the full table: ./index.ts): QuantConnect's AI tools (contract §3.11). */
export const aiRoutes = [
  defineRoute({
    path: 'ai/tools/syntax-check',
    group: 'ai',
    summary: 'Python syntax errors of the files (the checker compile/create uses); C# is refused: compile it.',
    entry: 'ai/syntax-check',
    schema: aiSchemas.aiFiles,
    role: 'viewer',
    mutating: false,
    access: { ...tableRead, syntaxCheck: 'invoke' },
  }),
  defineRoute({
    path: 'ai/tools/pep8-convert',
    group: 'ai',
    summary: "Python files rewritten from LEAN's PascalCase API to its snake_case API (deterministic, no model).",
    entry: 'ai/pep8-convert',
    schema: aiSchemas.aiPep8,
    role: 'viewer',
    mutating: false,
    access: tableRead,
  }),
  defineRoute({
    path: 'ai/tools/backtest-init',
    group: 'ai',
    summary: 'Whether an algorithm will initialize: Amazon Bedrock when enabled, else an error.',
    entry: 'ai/backtest-init',
    schema: aiSchemas.aiFiles,
    role: 'viewer',
    mutating: false,
    access: aiModel,
  }),
  defineRoute({
    path: 'ai/tools/complete',
    group: 'ai',
    summary: 'Code completion suggestions: Amazon Bedrock when enabled, else an error.',
    entry: 'ai/complete',
    schema: aiSchemas.aiComplete,
    role: 'viewer',
    mutating: false,
    access: aiModel,
  }),
  defineRoute({
    path: 'ai/tools/error-enhance',
    group: 'ai',
    summary: 'An error explained with a suggested fix: Amazon Bedrock when enabled, else an error.',
    entry: 'ai/error-enhance',
    schema: aiSchemas.aiErrorEnhance,
    role: 'viewer',
    mutating: false,
    access: aiModel,
  }),
  defineRoute({
    path: 'ai/tools/search',
    group: 'ai',
    summary: 'Answers to search criteria: Amazon Bedrock when enabled, else an error.',
    entry: 'ai/search',
    schema: aiSchemas.aiSearch,
    role: 'viewer',
    mutating: false,
    access: aiModel,
  }),
] as const satisfies readonly RouteDef[];

/** The typed route of a path of this group, for its handler files. */
export const route = routeLookup(aiRoutes);
