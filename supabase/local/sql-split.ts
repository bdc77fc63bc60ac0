/** One statement of a SQL file, without its trailing semicolon, and the 1-based line it starts on. */
export interface SqlStatement {
  text: string;
  line: number;
}

/**
 * Splits a SQL file into statements at top-level semicolons, the way the Supabase CLI records
 * migrations. Understands comments (`--`, nested `/* *\/`), quoted strings (`'…'`, `E'…'`), quoted
 * identifiers, dollar quotes (`$$…$$`, `$tag$…$tag$`) and `begin atomic … end` function bodies.
 * It only labels statements (history, error lines); whole files are executed by Postgres itself.
 */
export function splitSqlStatements(source: string): SqlStatement[] {
  const statements: SqlStatement[] = [];
  let start = 0;
  let i = 0;
  let atomicDepth = 0; // > 0 inside `begin atomic`, counting nested `case … end`
  let codeStart = -1; // offset of the statement's first character that is not blank or a comment

  const push = (end: number) => {
    // The text keeps leading comments (as the CLI records it); the line is where the code starts.
    if (codeStart !== -1)
      statements.push({ text: source.slice(start, end).trim(), line: lineAt(source, codeStart) });
    start = end + 1;
    codeStart = -1;
  };
  const markCode = (at: number) => {
    if (codeStart === -1) codeStart = at;
  };

  while (i < source.length) {
    const ch = source[i]!;
    const next = source[i + 1];
    if (ch === '-' && next === '-') {
      const newline = source.indexOf('\n', i);
      i = newline === -1 ? source.length : newline + 1;
    } else if (ch === '/' && next === '*') {
      i = skipBlockComment(source, i);
    } else if (ch === "'") {
      const escapes = /[eE]/.test(source[i - 1] ?? '') && !isIdentChar(source[i - 2]);
      markCode(escapes ? i - 1 : i);
      i = skipQuoted(source, i, "'", escapes);
    } else if (ch === '"') {
      markCode(i);
      i = skipQuoted(source, i, '"', false);
    } else if (ch === '$' && !isIdentChar(source[i - 1])) {
      markCode(i);
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(source.slice(i));
      if (tag) {
        const close = source.indexOf(tag[0], i + tag[0].length);
        i = close === -1 ? source.length : close + tag[0].length;
      } else {
        i++;
      }
    } else if (isIdentChar(ch) && !isIdentChar(source[i - 1])) {
      const word = /^[A-Za-z_][A-Za-z0-9_$]*/.exec(source.slice(i, i + 64))?.[0] ?? ch;
      const lower = word.toLowerCase();
      if (lower === 'atomic' && /\bbegin\s+$/i.test(source.slice(Math.max(0, i - 32), i))) atomicDepth++;
      else if (atomicDepth > 0 && lower === 'case') atomicDepth++;
      else if (atomicDepth > 0 && lower === 'end') atomicDepth--;
      markCode(i);
      i += word.length;
    } else if (ch === ';' && atomicDepth === 0) {
      push(i);
      i++;
    } else {
      if (!/\s/.test(ch)) markCode(i);
      i++;
    }
  }
  push(source.length);
  return statements;
}

/** 1-based line number of a 0-based character offset. */
export function lineAt(source: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < source.length; i++) if (source[i] === '\n') line++;
  return line;
}

function isIdentChar(ch: string | undefined): boolean {
  return ch !== undefined && /[A-Za-z0-9_$]/.test(ch);
}

function skipBlockComment(source: string, from: number): number {
  let depth = 0;
  let i = from;
  while (i < source.length) {
    if (source[i] === '/' && source[i + 1] === '*') {
      depth++;
      i += 2;
    } else if (source[i] === '*' && source[i + 1] === '/') {
      depth--;
      i += 2;
      if (depth === 0) return i;
    } else {
      i++;
    }
  }
  return i;
}

/** Index just past the closing quote; a doubled quote is an escaped one, and so is `\'` in E-strings. */
function skipQuoted(source: string, from: number, quote: string, backslashEscapes: boolean): number {
  let i = from + 1;
  while (i < source.length) {
    const ch = source[i];
    if (backslashEscapes && ch === '\\') {
      i += 2;
    } else if (ch === quote) {
      if (source[i + 1] === quote) i += 2;
      else return i + 1;
    } else {
      i++;
    }
  }
  return i;
}
