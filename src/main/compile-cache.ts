import { createHash } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { enableCompileCache } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// V8's compile cache (TypeScript's stripped output included) makes a warm start skip type stripping
// and most compilation (issue 6, docs/benchmarks.md). Seen here: after the sources changed, the
// cache kept serving code compiled from an earlier version of a module. So the cache directory is
// named after a fingerprint of the sources and the installed dependencies (path, size, mtime of
// every file under src/ and of package-lock.json): any change starts a fresh cache. Reading those
// stats costs a few milliseconds.

const root = join(import.meta.dirname, '..', '..');

function fingerprint(): string {
  const hash = createHash('sha256');
  const files = readdirSync(join(root, 'src'), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
  for (const file of [...files, join(root, 'package-lock.json')]) {
    try {
      const stat = statSync(file);
      hash.update(`${file}\0${stat.size}\0${stat.mtimeMs}\n`);
    } catch {
      hash.update(`${file}\0missing\n`);
    }
  }
  return hash.digest('hex').slice(0, 16);
}

export function enableSourceKeyedCompileCache(): void {
  enableCompileCache(join(tmpdir(), 'varco-compile-cache', fingerprint()));
}
