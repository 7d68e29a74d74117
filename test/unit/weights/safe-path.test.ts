import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hasCode } from '../../../src/shared/index.js';
import { assertSafeRelativePath, isSafeRelativePath } from '../../../src/weights/index.js';

describe('safe relative paths', () => {
  it.each(['model.safetensors', 'tokenizer/tokenizer.json', 'a/b/c.d', '..hidden', 'x..y/z'])(
    'accepts %s',
    (path) => {
      expect(assertSafeRelativePath(path, 'test')).toBe(path);
    },
  );

  it.each([
    ['', 'empty'],
    ['..', '".." segment'],
    ['../etc/passwd', '".." segment'],
    ['a/../../b', '".." segment'],
    ['a/./b', '"." segment'],
    ['/etc/passwd', 'absolute'],
    ['a//b', 'empty segment'],
    ['a/', 'empty segment'],
    ['a\\..\\..\\b', 'backslash'],
    ['C:/Windows', 'drive letter'],
    ['a\u0000b', 'control'],
    ['a\nb', 'control'],
    ['x'.repeat(256), 'segment longer'],
    [`${'ab/'.repeat(400)}c`, 'longer than'],
  ])('refuses %j (%s) with WEIGHTS_PATH_ESCAPE', (path, why) => {
    expect(() => assertSafeRelativePath(path, 'the source')).toThrow(why);
    try {
      assertSafeRelativePath(path, 'the source');
    } catch (err) {
      expect(hasCode(err, 'WEIGHTS_PATH_ESCAPE')).toBe(true);
    }
  });

  it('accepts a path only if joining it under a root can never leave the root', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('a', 'b', '.', '..', '', '\\', '/', 'x.y'), { maxLength: 12 }),
        (parts) => {
          const path = parts.join('');
          if (!isSafeRelativePath(path)) return;
          // Resolve by hand: a safe path never climbs above depth 0.
          let depth = 0;
          for (const segment of path.split('/')) {
            depth += segment === '..' ? -1 : segment === '.' ? 0 : 1;
            expect(depth).toBeGreaterThan(0);
          }
          expect(path.startsWith('/')).toBe(false);
          expect(path.includes('\\')).toBe(false);
        },
      ),
    );
  });
});
