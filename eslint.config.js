// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * src/'s layout, enforced (README, "Development"): which folder may import which. A rule names
 * the imports a folder may NOT make (relative specifiers, as written in src/).
 */
const CORE = { name: '@actions/core', message: 'Only host.ts and action/state.ts talk to @actions/core.' };
/** @type {{ files: string[]; core?: boolean; patterns: { regex: string; message: string }[] }[]} */
const LAYERS = [
  {
    files: ['src/util/**/*.ts'],
    patterns: [{ regex: '^\\.\\./', message: 'util/ imports nothing else from src/.' }],
  },
  {
    files: ['src/lambda.ts'],
    patterns: [{ regex: '^\\./', message: 'lambda.ts imports nothing else from src/.' }],
  },
  {
    files: ['src/bundle/**/*.ts', 'src/zip/**/*.ts'],
    patterns: [
      {
        regex: '^\\.\\./(?!util/|lambda\\.js$|\\.\\./node_modules/)',
        message: 'bundle/ and zip/ import only util/ and lambda.ts (and their own folder).',
      },
    ],
  },
  {
    files: ['src/nix/**/*.ts', 'src/caches/**/*.ts', 'src/deploy/**/*.ts', 'src/inputs/**/*.ts'],
    patterns: [
      {
        regex: '^\\.\\./(context|host|cli|index)\\.js$|^\\.\\./(stages|action)/',
        message:
          'nix/, caches/, deploy/ and inputs/ never import the job context, the host, the stages or action/: they take what they need (a Logger, plain options).',
      },
    ],
  },
  {
    files: ['src/stages/**/*.ts'],
    patterns: [
      {
        regex: '^\\./',
        message: 'A stage never imports another stage: stages talk through the job context.',
      },
      {
        regex: '^\\.\\./action/(?!outputs\\.js$)|^\\.\\./(cli|index)\\.js$',
        message: 'Stages import only action/outputs.ts from action/, and never the entry points.',
      },
    ],
  },
  {
    files: ['src/action/**/*.ts'],
    patterns: [{ regex: '^\\.\\./(cli|index)\\.js$', message: 'action/ never imports the entry points.' }],
  },
  {
    files: ['src/action/state.ts'],
    core: true,
    patterns: [{ regex: '^\\.\\./(cli|index)\\.js$', message: 'action/ never imports the entry points.' }],
  },
  {
    files: ['src/context.ts'],
    patterns: [
      {
        regex: '^\\./(stages/|action/(?!outputs\\.js$)|cli\\.js$|index\\.js$)',
        message:
          'The job context is below the stages and action/ (it takes the types of action/outputs.ts only).',
      },
    ],
  },
  {
    files: ['src/host.ts'],
    core: true,
    patterns: [{ regex: '^\\./(?!util/)', message: 'host.ts imports only util/ from src/.' }],
  },
];

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'build/', 'coverage/', 'examples/**/result*'] },
  js.configs.recommended,
  {
    files: ['**/*.ts'],
    extends: [...tseslint.configs.strictTypeChecked],
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['vitest.config.ts'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true, allowBoolean: true },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  // src/: the layering of folders, @actions/core in two modules only, and sizes a reader can hold
  // (ELF format code excepted: elf.ts follows the specification's structures).
  {
    files: ['src/**/*.ts'],
    ignores: ['src/host.ts', 'src/action/state.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [CORE] }] },
  },
  ...LAYERS.map(({ files, core, patterns }) => ({
    files,
    rules: { 'no-restricted-imports': ['error', { paths: core ? [] : [CORE], patterns }] },
  })),
  {
    files: ['src/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector:
            "CallExpression[callee.property.name='setOutputs'] > :matches(ObjectExpression, Identifier)",
          message:
            'Set outputs with the functions of action/outputs.ts (setOutputs(packageOutputs(result))).',
        },
      ],
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/bundle/elf.ts'],
    rules: {
      'max-lines': ['error', { max: 400, skipBlankLines: false, skipComments: false }],
      'max-lines-per-function': ['error', { max: 100, skipBlankLines: false, skipComments: false }],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
      },
    },
  },
);
