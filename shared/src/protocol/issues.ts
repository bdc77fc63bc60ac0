/**
 * Turns zod issues into one readable sentence that names the field, e.g.
 * `field "body": expected string, received number`. zod/mini ships no message locale
 * (that is part of why it is small), so the wording lives here.
 */
import type * as z from 'zod/mini';

type Issue = z.core.$ZodIssue & { input?: unknown };

/** At most this many issues are described; the rest are counted. */
const MAX_DESCRIBED = 3;

/** Describes validation issues in one line, naming each field. */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  const described = issues.slice(0, MAX_DESCRIBED).map((issue) => describeIssue(issue as Issue));
  const more = issues.length - MAX_DESCRIBED;
  return more > 0 ? `${described.join('; ')}; and ${more} more` : described.join('; ');
}

function describeIssue(issue: Issue): string {
  const where = fieldName(issue.path);
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return `${where} is required`;
      return `${where}: expected ${expectedName(issue.expected)}, received ${receivedName(issue.input)}`;
    case 'unrecognized_keys': {
      const keys = issue.keys.map((k) => `"${joinPath(issue.path, k)}"`).join(', ');
      return `unknown field${issue.keys.length > 1 ? 's' : ''} ${keys}`;
    }
    case 'too_big':
      return `${where}: ${sizeLimit('at most', issue.origin, issue.maximum)}`;
    case 'too_small':
      if (issue.origin === 'string' && issue.minimum === 1) return `${where} must not be empty`;
      return `${where}: ${sizeLimit('at least', issue.origin, issue.minimum)}`;
    case 'invalid_format':
      return `${where}: not a valid ${formatName(issue.format)}`;
    case 'invalid_value':
      return `${where}: expected ${issue.values.map((v) => JSON.stringify(v)).join(' or ')}`;
    case 'invalid_union': {
      // A discriminated union names the values its discriminator may take.
      const options = (issue as { options?: unknown[] }).options;
      if (Array.isArray(options) && options.length > 0) {
        return `${where}: expected ${options.map((v) => JSON.stringify(v)).join(' or ')}`;
      }
      return `${where}: matches none of the allowed shapes`;
    }
    case 'invalid_key':
      return `${where}: invalid key (${describeIssues(issue.issues)})`;
    case 'invalid_element':
      return `${where}: invalid entry ${JSON.stringify(String(issue.key))} (${describeIssues(issue.issues)})`;
    case 'custom':
      return `${where}: ${issue.message}`;
    default:
      return `${where}: invalid value`;
  }
}

function fieldName(path: readonly PropertyKey[]): string {
  return path.length === 0 ? 'frame' : `field "${joinPath(path)}"`;
}

function joinPath(path: readonly PropertyKey[], last?: PropertyKey): string {
  const parts = last === undefined ? path : [...path, last];
  let out = '';
  for (const part of parts) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out;
}

function expectedName(expected: string): string {
  if (expected === 'int') return 'an integer';
  if (expected === 'record') return 'object';
  return expected;
}

function receivedName(input: unknown): string {
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'array';
  if (typeof input === 'number' && !Number.isInteger(input)) return 'a fraction';
  return typeof input;
}

function sizeLimit(bound: string, origin: string, limit: number | bigint): string {
  if (origin === 'string') return `${bound} ${limit} characters`;
  if (origin === 'array' || origin === 'set') return `${bound} ${limit} items`;
  return `must be ${bound} ${limit}`;
}

function formatName(format: string): string {
  if (format === 'guid' || format === 'uuid') return 'id (a UUID)';
  if (format === 'datetime') return 'ISO 8601 timestamp';
  return format;
}
