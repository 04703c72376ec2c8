import typescript from '@rollup/plugin-typescript';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import { dts } from 'rollup-plugin-dts';

const plugins = () => [
  nodeResolve({ browser: true }),
  typescript({ tsconfig: './tsconfig.json', compilerOptions: { noEmit: false, declaration: false } }),
];

export default [
  {
    input: 'src/auto.ts',
    output: { file: 'dist/querytrail.min.js', format: 'iife', plugins: [terser({ ecma: 2020, compress: { passes: 3 } })] },
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
