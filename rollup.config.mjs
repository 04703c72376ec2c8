import typescript from '@rollup/plugin-typescript';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import { dts } from 'rollup-plugin-dts';

// size: methods and fields of QueryTrail's own objects (the session, the stored entries, the
// conversions and clicks) that never leave the script: no page, no Insights request and no stored
// record sees them, so the minifier may shorten them as it does variables (-129 bytes gzipped). A
// name of the public API, of an event, of an option or of anything stored must never be listed.
const INTERNAL_PROPERTIES = [
  'whoAndWhen',
  'isInactive',
  'mayStore',
  'setPersistent',
  'onStorageProblem',
  'persistent',
  'ttlMs',
  'ofTrigger',
  'ofLoadTrigger',
  'ofEntry',
  'ofMarkup',
  'ofConverted',
  'remember',
  'rememberLanding',
  'recall',
  'handOff',
  'prune',
  'newPage',
  'writeSoon',
  'uncommitted',
  'clickObject',
  'clickFilter',
  'ancestry',
];

const plugins = () => [
  nodeResolve({ browser: true }),
  typescript({ tsconfig: './tsconfig.json', compilerOptions: { noEmit: false, declaration: false } }),
];

export default [
  {
    input: 'src/auto.ts',
    output: {
      file: 'dist/querytrail.min.js',
      format: 'iife',
      plugins: [
        terser({
          ecma: 2020,
          compress: { passes: 3 },
          mangle: { properties: { regex: new RegExp(`^(${INTERNAL_PROPERTIES.join('|')})$`) } },
        }),
      ],
    },
    plugins: plugins(),
  },
  {
    // The markup audit, loaded on request beside the IIFE; not part of its size.
    input: 'src/audit/index.ts',
    output: { file: 'dist/querytrail-audit.js', format: 'iife', plugins: [terser({ ecma: 2020 })] },
    plugins: plugins(),
  },
  {
    input: 'src/index.ts',
    output: { file: 'dist/querytrail.mjs', format: 'es' },
    plugins: plugins(),
  },
  {
    input: 'src/index.ts',
    output: { file: 'dist/querytrail.d.ts', format: 'es' },
    plugins: [dts({ tsconfig: './tsconfig.json' })],
  },
];
