'use strict';
// ESLint (flat config): the recommended rules on the package, its tests, examples, bench and scripts.
const js = require('@eslint/js');
const globals = require('globals');

module.exports = [
  {
    ignores: ['**/node_modules/**', 'target/**', '.venv-*/**', 'dist/**', 'docs/api/**', 'bench/out/**', 'npm/**',
      // written by `napi build`, never edited by hand
      'binding.js', 'binding.d.ts', '*.wasi.cjs', '*.wasi-browser.js', 'wasi-worker*.mjs', 'browser.js'],
  },
  js.configs.recommended,
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: { ecmaVersion: 2023, sourceType: 'commonjs', globals: { ...globals.node } },
    rules: { 'no-unused-vars': ['error', { argsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }] },
  },
  { files: ['**/*.mjs'], languageOptions: { ecmaVersion: 2023, sourceType: 'module', globals: { ...globals.node } } },
  { files: ['__test__/**'], languageOptions: { globals: { ...globals.jest } } },
];
