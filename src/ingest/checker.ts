import { FieldError } from '../shared/outcome';
import { lineTextProblem } from '../shared/text';

/**
 * Reads one plain-object record field by field, collecting every problem with the path of the field that has it
 * (`name`, `civilAffairs.allowances[1].monthlyAmount`). Records reach the service as parsed JSON from GraphQL or as
 * objects built by the in-process callers (file import, demo city), so every JavaScript type is checked here.
 *
 * Each reader returns the value (normalised: strings trimmed), `null` when the field is absent, null or blank, or
 * `undefined` when the value is bad (the problem is recorded).
 */
export class Checker {
  constructor(
    private readonly record: Record<string, unknown>,
    private readonly prefix = '',
    /** Shared with nested checkers: a nested field's problem is the record's problem. */
    readonly errors: FieldError[] = [],
  ) {}

  /** A checker for a nested object field; its problems land in this checker's list. */
  nested(field: string): Checker | null {
    const value = this.record[field];
    if (value === null || value === undefined) return null;
    if (typeof value !== 'object' || Array.isArray(value)) {
      this.fail(field, 'must be an object');
      return null;
    }
    return this.child(value as Record<string, unknown>, this.path(field));
  }

  /** The items of a list field, each with its own checker (`field[i]`); null when absent. */
  list(field: string, max: number): Array<Checker> | null {
    const value = this.record[field];
    if (value === null || value === undefined) return null;
    if (!Array.isArray(value)) {
      this.fail(field, 'must be a list');
      return null;
    }
    if (value.length > max) {
      this.fail(field, `may hold at most ${max} items, got ${value.length}`);
      return null;
    }
    const items: Checker[] = [];
    value.forEach((item, i) => {
      if (item === null || typeof item !== 'object' || Array.isArray(item)) this.fail(`${field}[${i}]`, 'must be an object');
      else items.push(this.child(item as Record<string, unknown>, this.path(`${field}[${i}]`)));
    });
    return items;
  }

  /** Problems for keys that are not fields of this record. */
  onlyKeys(known: ReadonlySet<string>): void {
    for (const key of Object.keys(this.record)) {
      if (!known.has(key)) this.fail(key.slice(0, 60), 'is not a field of this record');
    }
  }

  text(field: string, options: { required?: boolean; max: number }): string | null | undefined {
    const value = this.record[field];
    if (value === null || value === undefined || (typeof value === 'string' && value.trim() === '')) {
      if (options.required) return this.fail(field, 'is required');
      return null;
    }
    if (typeof value !== 'string') return this.fail(field, 'must be a string');
    const text = value.trim();
    if (text.length > options.max) return this.fail(field, `may have at most ${options.max} characters, got ${text.length}`);
    const problem = lineTextProblem(text);
    if (problem) return this.fail(field, problem);
    return text;
  }

  /** Multi-line text (descriptions): newlines and tabs allowed, other control characters not. */
  longText(field: string, max: number): string | null | undefined {
    const value = this.record[field];
    if (value === null || value === undefined || (typeof value === 'string' && value.trim() === '')) return null;
    if (typeof value !== 'string') return this.fail(field, 'must be a string');
    const text = value.trim();
    if (text.length > max) return this.fail(field, `may have at most ${max} characters, got ${text.length}`);
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(text)) return this.fail(field, 'must not contain control characters');
    if (/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(text)) {
      return this.fail(field, 'must not contain lone surrogates');
    }
    return text;
  }

  number(field: string, min: number, max: number, options: { integer?: boolean; required?: boolean } = {}): number | null | undefined {
    const value = this.record[field];
    if (value === null || value === undefined) return options.required ? this.fail(field, 'is required') : null;
    if (typeof value !== 'number' || !Number.isFinite(value)) return this.fail(field, 'must be a number');
    if (options.integer && !Number.isInteger(value)) return this.fail(field, 'must be a whole number');
    if (value < min || value > max) return this.fail(field, `must be from ${min} to ${max}, got ${value}`);
    return value;
  }

  boolean(field: string, options: { required?: boolean } = {}): boolean | null | undefined {
    const value = this.record[field];
    if (value === null || value === undefined) return options.required ? this.fail(field, 'is required') : null;
    if (typeof value !== 'boolean') return this.fail(field, 'must be true or false');
    return value;
  }

  enumOf<E extends string>(field: string, values: Record<string, E>, options: { required?: boolean } = {}): E | null | undefined {
    const value = this.record[field];
    if (value === null || value === undefined) return options.required ? this.fail(field, 'is required') : null;
    const allowed = Object.values(values) as string[];
    if (typeof value !== 'string' || !allowed.includes(value)) {
      return this.fail(field, `must be one of ${allowed.join(', ')}`);
    }
    return value as E;
  }

  enumList<E extends string>(field: string, values: Record<string, E>, max: number): E[] | null | undefined {
    const value = this.record[field];
    if (value === null || value === undefined) return null;
    if (!Array.isArray(value)) return this.fail(field, 'must be a list');
    if (value.length > max) return this.fail(field, `may hold at most ${max} items`);
    const allowed = Object.values(values) as string[];
    const bad = value.findIndex((item) => typeof item !== 'string' || !allowed.includes(item));
    if (bad !== -1) return this.fail(`${field}[${bad}]`, `must be one of ${allowed.join(', ')}`);
    return [...new Set(value as E[])];
  }

  /** A calendar date, `YYYY-MM-DD`, from 1850-01-01 up to `latest`. */
  date(field: string, latest: Date): string | null | undefined {
    const value = this.record[field];
    if (value === null || value === undefined || value === '') return null;
    if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value.trim())) return this.fail(field, 'must be a date YYYY-MM-DD');
    const text = value.trim();
    const date = new Date(`${text}T00:00:00Z`);
    if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== text) return this.fail(field, `"${text}" is not a date`);
    if (text < '1850-01-01' || date.getTime() > latest.getTime()) return this.fail(field, `must lie between 1850-01-01 and today`);
    return text;
  }

  /** A point in time (Date from GraphQL's DateTimeISO, or an ISO 8601 string with a zone), from 1970 to `latest`. */
  dateTime(field: string, latest: Date): Date | null | undefined {
    const value = this.record[field];
    if (value === null || value === undefined || value === '') return null;
    let date: Date;
    if (value instanceof Date) date = value;
    else if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i.test(value.trim())) {
      date = new Date(value.trim());
    } else {
      return this.fail(field, 'must be an ISO 8601 date-time with a time zone, e.g. 2026-11-30T08:00:00+08:00');
    }
    if (Number.isNaN(date.getTime())) return this.fail(field, 'is not a valid date-time');
    if (date.getTime() < 0 || date.getTime() > latest.getTime()) return this.fail(field, 'must lie between 1970 and now');
    return date;
  }

  raw(field: string): unknown {
    return this.record[field];
  }

  fail(field: string, message: string): undefined {
    this.errors.push({ field: this.path(field), message });
    return undefined;
  }

  get ok(): boolean {
    return this.errors.length === 0;
  }

  private path(field: string): string {
    return this.prefix ? `${this.prefix}.${field}` : field;
  }

  private child(record: Record<string, unknown>, prefix: string): Checker {
    return new Checker(record, prefix, this.errors);
  }
}
