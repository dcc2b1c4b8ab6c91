import { chmod, readFile, rename, unlink, writeFile } from 'node:fs/promises';

// File helpers for what still lives on an instance's disk: its development HTTPS certificate, and the
// data/pki directory of an earlier Varco, read once to import it.

/** A PEM file's text, normalised so files from other tools still concatenate into well-formed chains. */
export async function readPemIfExists(path: string): Promise<string | undefined> {
  try {
    const text = (await readFile(path, 'utf8')).replace(/\r\n?/g, '\n');
    return text.endsWith('\n') ? text : `${text}\n`;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Write to a temporary file and rename it, so a reader never sees half a key or certificate. */
export async function writeAtomically(path: string, contents: string, mode: number): Promise<void> {
  const temp = `${path}.${process.pid}.tmp`;
  try {
    await writeFile(temp, contents, { mode });
    // writeFile's mode is filtered by the umask and ignored for existing files.
    await chmod(temp, mode);
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}
