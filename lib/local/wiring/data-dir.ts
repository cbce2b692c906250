import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The directory a local pipeline keeps its data in: DIR/dynamodb (dynalite's LevelDB), DIR/s3
 * (s3rver's objects), DIR/endpoints.json. One pipeline at a time: a second dynalite on the same
 * LevelDB does not fail at start but crashes the process on its first request, so a pid file says
 * who holds the directory and a second start is refused with that pid.
 */
export const DATA_LAYOUT = {
  dynamodb: 'dynamodb',
  s3: 's3',
  endpoints: 'endpoints.json',
  /** The digest log: every chain link anchored, only ever appended to (issue 16). */
  audit: 'audit',
  lock: 'stocktally.pid',
} as const;

export class DataDirInUseError extends Error {
  constructor(
    readonly dir: string,
    readonly pid: number,
  ) {
    super(`${dir} is in use by another stocktally start (pid ${pid}); stop it, or choose another --data DIR`);
    this.name = 'DataDirInUseError';
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the directory (creating it); the returned function gives it back. */
export function lockDataDir(dir: string): () => void {
  mkdirSync(join(dir, DATA_LAYOUT.dynamodb), { recursive: true });
  mkdirSync(join(dir, DATA_LAYOUT.s3), { recursive: true });
  const file = join(dir, DATA_LAYOUT.lock);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, `${process.pid}\n`, { flag: 'wx' });
      return () => rmSync(file, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = Number(readFileSync(file, 'utf8').trim());
    if (Number.isSafeInteger(holder) && holder > 0 && alive(holder)) throw new DataDirInUseError(dir, holder);
    // Left behind by a pipeline that was killed: take it over.
    rmSync(file, { force: true });
  }
  throw new Error(`could not take ${file}`);
}
