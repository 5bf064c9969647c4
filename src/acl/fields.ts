/**
 * Typed reads of one object from a capability or permission file. Every failure is a CONFIG error that starts with
 * where the object is (`capabilities/main.json: capability \`main\``), so the developer can go straight to it.
 */
import { AirlockError, ErrorCode } from '../protocol/errors.js';
import { TARGETS, type Target } from './model.js';

export function configError(message: string): AirlockError {
  return new AirlockError(ErrorCode.CONFIG, message);
}

function shown(value: unknown): string {
  if (value === undefined) return 'nothing';
  try {
    const text = JSON.stringify(value) ?? String(value);
    return text.length > 60 ? `${text.slice(0, 57)}...` : text;
  } catch {
    return String(value);
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

export class Fields {
  constructor(
    /** Prefix of every message, e.g. `capabilities/main.json: capability \`main\``. */
    readonly where: string,
    readonly obj: Readonly<Record<string, unknown>>,
  ) {}

  fail(message: string): never {
    throw configError(`${this.where}: ${message}`);
  }

  private get(key: string): unknown {
    return Object.hasOwn(this.obj, key) ? this.obj[key] : undefined;
  }

  optionalString(key: string): string | undefined {
    const v = this.get(key);
    if (v === undefined) return undefined;
    if (typeof v !== 'string') this.fail(`\`${key}\` must be a string, got ${shown(v)}`);
    return v;
  }

  requiredString(key: string): string {
    const v = this.optionalString(key);
    if (v === undefined || v.length === 0) this.fail(`\`${key}\` must be a non-empty string, got ${shown(v)}`);
    return v;
  }

  boolean(key: string, fallback: boolean): boolean {
    const v = this.get(key);
    if (v === undefined) return fallback;
    if (typeof v !== 'boolean') this.fail(`\`${key}\` must be true or false, got ${shown(v)}`);
    return v;
  }

  optionalArray(key: string): readonly unknown[] | undefined {
    const v = this.get(key);
    if (v === undefined) return undefined;
    if (!Array.isArray(v)) this.fail(`\`${key}\` must be an array, got ${shown(v)}`);
    return v;
  }

  stringArray(key: string, required = false): readonly string[] {
    const v = this.optionalArray(key);
    if (v === undefined) {
      if (required) this.fail(`\`${key}\` is required (a list of strings)`);
      return [];
    }
    for (const item of v) if (typeof item !== 'string') this.fail(`\`${key}\` must list strings, got ${shown(item)}`);
    return v as readonly string[];
  }

  optionalObject(key: string): Fields | undefined {
    const v = this.get(key);
    if (v === undefined) return undefined;
    if (!isRecord(v)) this.fail(`\`${key}\` must be an object, got ${shown(v)}`);
    return new Fields(`${this.where}: \`${key}\``, v);
  }

  /** `platforms`: undefined when absent (= all platforms); names are matched case-insensitively. */
  platforms(): readonly Target[] | undefined {
    const v = this.optionalArray('platforms');
    if (v === undefined) return undefined;
    return v.map((name) => {
      const target = TARGETS.find((t) => typeof name === 'string' && t.toLowerCase() === name.toLowerCase());
      if (target === undefined) this.fail(`\`platforms\` has ${shown(name)}; expected one of ${TARGETS.join(', ')}`);
      return target;
    });
  }

  /** Reports keys this reader does not know, as warnings: a typo such as `window` would otherwise grant nothing. */
  warnUnknown(known: readonly string[], warnings: string[]): void {
    for (const key of Object.keys(this.obj)) {
      if (!known.includes(key) && key !== '$schema') {
        warnings.push(`${this.where}: unknown field \`${key}\` is ignored (expected one of ${known.join(', ')})`);
      }
    }
  }
}
