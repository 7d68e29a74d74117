// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

/** I/O modules that decision code must never import (DESIGN.md §3: decisions are pure). */
const ioModules = [
  '@kubernetes/client-node',
  'execa',
  'ws',
  'systeminformation',
  'ioredis',
  'node:child_process',
  'node:http',
  'node:https',
  'node:net',
  'node:fs',
  'node:fs/promises',
].map((name) => ({ name, message: 'Decision code is pure: do I/O in an adapters/ module.' }));

/** Other areas are reached only through their index.ts (STYLE.md §23). */
const areas =
  'shared|protocol|agent|leader|routing|traffic|gateway|gpu|weights|lora|kvcache|autoscaling|fleet|optimizer|controllers|discovery|kube|engine|sim|up|cli|bench';
const deepImport = {
  regex: `^(\\.\\./)+(${areas})/(?!index\\.js$|adapters/index\\.js$).+`,
  message: 'Import another area only through its index.ts.',
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'bench/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  ...tseslint.configs.stylisticTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/only-throw-error': 'error',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-console': 'error',
      '@typescript-eslint/no-confusing-void-expression': 'off',
      '@typescript-eslint/non-nullable-type-assertion-style': 'off',
      'max-lines': ['warn', { max: 400, skipBlankLines: true, skipComments: true }],
    },
  },
  {
    files: ['src/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [deepImport] }] },
  },
  {
    files: [
      'src/routing/**',
      'src/traffic/**',
      'src/kvcache/**',
      'src/weights/**',
      'src/lora/**',
      'src/gpu/**',
      'src/autoscaling/**',
      'src/fleet/**',
      'src/optimizer/**',
      'src/controllers/**',
      'src/leader/election/**',
    ],
    ignores: ['**/adapters/**'],
    rules: { 'no-restricted-imports': ['error', { paths: ioModules, patterns: [deepImport] }] },
  },
  {
    files: ['test/**', 'bench/**'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      'no-console': 'off',
    },
  },
  { files: ['**/*.js', '**/*.mjs'], ...tseslint.configs.disableTypeChecked },
  prettier,
);
