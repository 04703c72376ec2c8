// @vitest-environment node
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const published = fileURLToPath(new URL('../../dist/querytrail.d.ts', import.meta.url));
const consumerConfig = fileURLToPath(new URL('../types/tsconfig.json', import.meta.url));

describe('the published types (dist/querytrail.d.ts, built by `npm run build`)', () => {
  it('compile every typed use in test/types/consumer.ts, and refuse each mistake it marks', { timeout: 60_000 }, () => {
    const { config } = ts.readConfigFile(consumerConfig, ts.sys.readFile);
    const { fileNames, options } = ts.parseJsonConfigFileContent(config, ts.sys, dirname(consumerConfig));
    const program = ts.createProgram(fileNames, options);
    // The consumer imports 'querytrail' as an app does; it must land on the built file.
    expect(program.getSourceFile(published), 'run `npm run build` first').toBeDefined();
    const problems = ts.getPreEmitDiagnostics(program).map((diagnostic) => {
      const where = diagnostic.file
        ? `${diagnostic.file.fileName}:${diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start ?? 0).line + 1}: `
        : '';
      return where + ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
    });
    expect(problems).toEqual([]);
  });

  it('import nothing from zod, whose internals would fill every hover', () => {
    expect(readFileSync(published, 'utf8')).not.toMatch(/zod/i);
  });
});
