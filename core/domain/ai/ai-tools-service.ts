import { converse } from '../../data/ai/bedrock-converse';
import type { SyntaxChecker } from '../../ports/syntax-checker';
import { environmentCredentials } from '../../shared/aws-signature';
import { config } from '../../shared/config';
import { InvalidError } from '../../shared/errors';
import type { Principal } from '../../shared/principal';
import { orgAccess } from '../identity/access';
import type { Language } from '../projects/types';
import { pep8Convert } from './pep8';

/**
 * QuantConnect's AI tools (contract §3.11): every answer is `{state, version, payload, payloadType}`
 * (search: `retrivals`, `messageId`). Syntax check and PEP 8 conversion run here, without a model.
 * The other four need a language model: Amazon Bedrock when the operator sets LCS_AI_MODEL_ID,
 * otherwise a clear error. Used by QuantConnect's MCP server, not by LEAN or lean-cli.
 */
const VERSION = 2.0;

export const AI_DISABLED =
  'AI tools are not enabled on this server: the operator enables them with an Amazon Bedrock model (LCS_AI_MODEL_ID). ai/tools/syntax-check and ai/tools/pep8-convert work without one.';

interface SourceFile {
  name: string;
  content: string;
}

const end = <P>(payload: P, payloadType: string) => ({ state: 'End', version: VERSION, payload, payloadType });

function model(): { modelId: string; region: string; endpoint?: string } {
  const { LCS_AI_MODEL_ID, LCS_AI_ENDPOINT, AWS_REGION } = config();
  if (!LCS_AI_MODEL_ID) throw new InvalidError(AI_DISABLED);
  return { modelId: LCS_AI_MODEL_ID, region: AWS_REGION, ...(LCS_AI_ENDPOINT ? { endpoint: LCS_AI_ENDPOINT } : {}) };
}

async function ask(system: string, prompt: string, maxTokens = 2048): Promise<string> {
  return converse({ ...model(), credentials: environmentCredentials('Amazon Bedrock') }, { system, prompt, maxTokens });
}

const languageName = (language: Language) => (language === 'Py' ? 'Python' : 'C#');
const filesText = (files: SourceFile[]) => files.map((f) => `--- ${f.name}\n${f.content}`).join('\n\n');
const LEAN_EXPERT = 'You are an expert on QuantConnect LEAN algorithms. Answer briefly and precisely.';

export const aiToolsService = {
  /** Python: the server's own syntax checker (the one compile/create uses); C# needs a build. */
  async syntaxCheck(principal: Principal, input: { language: Language; files: SourceFile[] }, syntax: SyntaxChecker) {
    orgAccess(principal, undefined, 'viewer');
    if (input.language === 'C#') {
      throw new InvalidError('language: a C# syntax check needs a build; compile the project with compile/create, whose logs list the compiler errors');
    }
    const errors = await syntax.check(input.files.filter((f) => f.name.endsWith('.py')));
    return end(
      errors.map((e) => `File: ${e.file} Line: ${e.line} Column: ${e.column} - ${e.message}`),
      'StringArray',
    );
  },

  /** Python files converted to LEAN's snake_case API; other files are left out of the answer. */
  async pep8Convert(principal: Principal, input: { files: SourceFile[] }) {
    orgAccess(principal, undefined, 'viewer');
    const converted = Object.fromEntries(input.files.filter((f) => f.name.endsWith('.py')).map((f) => [f.name, pep8Convert(f.content)]));
    return end(converted, 'StringDict');
  },

  async backtestInit(principal: Principal, input: { language: Language; files: SourceFile[] }) {
    orgAccess(principal, undefined, 'viewer');
    const main = input.language === 'Py' ? 'main.py' : 'Main.cs';
    if (!input.files.some((f) => f.name === main)) throw new InvalidError(`files: one of the files must be ${main}`);
    const text = await ask(
      LEAN_EXPERT,
      `Will this ${languageName(input.language)} LEAN algorithm initialize and start a backtest? List any problem in initialize, else say it looks ready.\n\n${filesText(input.files)}`,
    );
    return end(text, 'String');
  },

  async complete(principal: Principal, input: { language: Language; sentence: string; responseSizeLimit?: number }) {
    orgAccess(principal, undefined, 'viewer');
    const limit = input.responseSizeLimit ?? 10;
    const text = await ask(
      `${LEAN_EXPERT} Reply with completions only, one per line, no commentary.`,
      `Complete this ${languageName(input.language)} LEAN code with at most ${limit} suggestions:\n${input.sentence}`,
      512,
    );
    const suggestions = text
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .slice(0, limit);
    return end(suggestions, 'StringArray');
  },

  async errorEnhance(principal: Principal, input: { language: Language; error: { message: string; stacktrace?: string } }) {
    orgAccess(principal, undefined, 'viewer');
    const text = await ask(
      LEAN_EXPERT,
      `Explain this ${languageName(input.language)} LEAN error and suggest a fix.\n\n${input.error.message}${input.error.stacktrace ? `\n\n${input.error.stacktrace}` : ''}`,
    );
    return end(text, 'String');
  },

  /** No search index here: the model answers each criterion from what it knows (type 2: docs). */
  async search(principal: Principal, input: { language: Language; criteria: { input: string; type: string; count: number }[] }) {
    orgAccess(principal, undefined, 'viewer');
    const types: Record<string, number> = { Stubs: 0, Forum: 1, Docs: 2, Examples: 3 };
    const retrivals = [];
    for (const criterion of input.criteria) {
      const content = await ask(LEAN_EXPERT, `${languageName(input.language)} LEAN: ${criterion.input}`, 1024);
      retrivals.push({ url: '', score: 1, content, type: types[criterion.type] ?? 2 });
    }
    return { state: 'End', version: VERSION, retrivals, messageId: 0 };
  },
};
