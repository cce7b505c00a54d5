import { readFileSync } from 'node:fs';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- validated by the schema before
type Raw = Record<string, any>;

/** What a converter needs to resolve paths and to report a problem at its line. */
export interface Checking {
  rel: (p: string) => string;
  lineOf: (path: Array<string | number>) => number;
  problems: string[];
}

/**
 * A secret given as `key` or as `key_file` (its content, trailing newline cut) in the object at
 * `path`, named `where` in problems (`whereNamed` for the ones about the pair, when it differs).
 * `one`: exactly one of the two is required. Both given: undefined; a file that cannot be read: ''.
 */
export function readSecret(o: Raw, key: string, path: Array<string | number>, where: string, c: Checking,
  need: 'one' | 'optional', whereNamed = where): string | undefined {
  const fileKey = `${key}_file`;
  const given = o[key] !== undefined;
  const fileGiven = o[fileKey] !== undefined;
  if (need === 'one' && given === fileGiven) {
    c.problems.push(`line ${c.lineOf(path)}: ${whereNamed}: give exactly one of ${key} or ${fileKey}`);
    return undefined;
  }
  if (given && fileGiven) {
    c.problems.push(`line ${c.lineOf([...path, fileKey])}: ${whereNamed}: give ${key} or ${fileKey}, not both`);
    return undefined;
  }
  if (!fileGiven) return o[key] as string | undefined;
  const file = c.rel(o[fileKey] as string);
  try {
    return readFileSync(file, 'utf8').replace(/\r?\n$/, '');
  } catch (err) {
    c.problems.push(`line ${c.lineOf([...path, fileKey])}: ${where}.${fileKey}: cannot read ${file}: ${(err as Error).message}`);
    return '';
  }
}
