// One-off helper: adds ".js" to extensionless relative import specifiers (ESM needs them).
import { readFileSync, writeFileSync } from 'node:fs';
import { execSync } from 'node:child_process';
const files = execSync("git ls-files -co --exclude-standard '*.ts'", { encoding: 'utf8' })
  .split('\n')
  .filter(Boolean);
for (const file of files) {
  const source = readFileSync(file, 'utf8');
  const fixed = source.replace(/(from\s+'|import\(')(\.{1,2}\/[^']*?)(?<!\.js)'/g, "$1$2.js'");
  if (fixed !== source) writeFileSync(file, fixed);
}
