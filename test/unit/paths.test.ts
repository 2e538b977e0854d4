import { InvalidError } from '../../core/shared/errors';
import { pathProblem, relativePath } from '../../core/shared/paths';

/** Relative paths for project files (and later data and object-store keys). */
describe('accepted', () => {
  test.each(['main.py', 'indicators/fast.py', 'a/b/c/d.txt', 'My Project/research.ipynb', '.gitignore', 'a..b/c', 'ünïcode/файл.py'])('%s', (path) => {
    expect(pathProblem(path)).toBeUndefined();
    expect(relativePath(path, 'name')).toBe(path);
  });
});

describe('rejected', () => {
  test.each([
    ['', /empty/],
    ['../etc/passwd', /'\.' or '\.\.'/],
    ['a/../../b', /'\.' or '\.\.'/],
    ['..', /'\.' or '\.\.'/],
    ['./a', /'\.' or '\.\.'/],
    ['a/./b', /'\.' or '\.\.'/],
    ['/etc/passwd', /relative/],
    ['/', /relative/],
    ['a\\b.py', /forward slashes/],
    ['..\\..\\windows', /forward slashes/],
    ['a\u0000b', /control characters/],
    ['a\nb', /control characters/],
    ['a\tb', /control characters/],
    ['a\u007fb', /control characters/],
    ['a//b', /empty path segments/],
    ['a/', /empty path segments/],
    [' a/b', /spaces/],
    ['a/b ', /spaces/],
    ['x'.repeat(513), /at most 512/],
  ])('%j', (path, problem) => {
    expect(pathProblem(path)).toMatch(problem);
    expect(() => relativePath(path, 'name')).toThrow(InvalidError);
  });

  test('the error names the field', () => {
    expect(() => relativePath('../x', 'files.0.name')).toThrow(/^files\.0\.name: /);
  });

  test('the length bound is configurable', () => {
    expect(pathProblem('abcd', 3)).toMatch(/at most 3/);
    expect(pathProblem('abc', 3)).toBeUndefined();
  });
});
