/**
 * A small strict CSV reader (RFC 4180): comma-separated, fields optionally in double quotes, a
 * doubled quote inside quotes is a quote, CRLF or LF line ends, a UTF-8 BOM ignored. Strict
 * because an operator's spreadsheet export that is subtly broken (a stray quote, a row with one
 * column too many) must be refused with its line, not imported half right.
 */

export interface CsvRow {
  /** 1-based line where the row starts in the file (a quoted field may span lines). */
  line: number;
  fields: string[];
}

export class CsvError extends Error {
  override readonly name = 'CsvError';
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`);
  }
}

/** Every row, blank lines skipped; throws CsvError naming the line. */
export function parseCsv(text: string): CsvRow[] {
  const s = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const rows: CsvRow[] = [];
  let line = 1;
  let i = 0;
  while (i < s.length) {
    const start = line;
    const fields: string[] = [];
    for (;;) {
      let value = '';
      if (s[i] === '"') {
        const openedAt = line;
        i++;
        for (;;) {
          if (i >= s.length) throw new CsvError(openedAt, 'a quoted field is never closed');
          const c = s[i]!;
          if (c === '"') {
            if (s[i + 1] === '"') {
              value += '"';
              i += 2;
              continue;
            }
            i++;
            break;
          }
          if (c === '\n') line++;
          value += c;
          i++;
        }
        const next = s[i];
        if (next !== undefined && next !== ',' && next !== '\n' && next !== '\r') {
          throw new CsvError(line, 'text after a closing quote (a quote inside a quoted field is written "")');
        }
      } else {
        while (i < s.length && s[i] !== ',' && s[i] !== '\n' && s[i] !== '\r') {
          if (s[i] === '"') throw new CsvError(line, 'a quote inside an unquoted field (quote the whole field and double the quote)');
          value += s[i];
          i++;
        }
      }
      fields.push(value);
      if (s[i] === ',') {
        i++;
        continue;
      }
      // End of the row: CRLF, LF, a lone CR, or the end of the text.
      if (s[i] === '\r') i++;
      if (s[i] === '\n') i++;
      line++;
      break;
    }
    if (!(fields.length === 1 && fields[0]!.trim() === '')) rows.push({ line: start, fields });
  }
  return rows;
}
