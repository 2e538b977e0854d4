/**
 * The syntax-checker port (design §7, §12): how compile/create and ai/tools/syntax-check get the
 * first syntax error of each Python file without carrying the grammar. In local mode the checker
 * runs in-process (core/domain/compile/python-syntax.ts); in AWS a small Lambda function of its own
 * runs it (lambdas/workers/syntax-check.handler.ts), invoked synchronously through
 * core/aws/lambda-syntax-checker.ts, so the API functions' bundles stay small.
 */
export interface PythonSyntaxError {
  file: string;
  line: number;
  /** 1-based, like CPython's offset. */
  column: number;
  /** With the error class, e.g. `SyntaxError: invalid syntax`, `IndentationError: unexpected indent`. */
  message: string;
}

export interface SourceFile {
  name: string;
  content: string;
}

export interface SyntaxChecker {
  /** Checks every `.py` file of `files`; one error (the first) per failing file, in the order given. */
  check(files: SourceFile[]): Promise<PythonSyntaxError[]>;
}
