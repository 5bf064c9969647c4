/**
 * A plugin's configuration as Tauri reads it: `plugins.<name>` of tauri.conf.json (the setup's `api.config`), with
 * the options given in code winning key by key (an option left `undefined` keeps the file's value).
 */
import { AirlockError, ErrorCode } from '../../protocol/errors.js';
import type { StandardSchemaV1 } from '../../core/standard-schema.js';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Merges `plugins.<name>` (from the file) under `options` (from code) and validates the result with `schema`
 * (synchronous Standard Schema). A bad value stops start-up with a CONFIG error naming `plugins.<name>`.
 */
export function pluginConfig<S extends StandardSchemaV1>(
  name: string,
  fromFile: unknown,
  options: object | undefined,
  schema: S,
): StandardSchemaV1.InferOutput<S> {
  if (fromFile !== undefined && fromFile !== null && !isRecord(fromFile)) {
    throw new AirlockError(ErrorCode.CONFIG, `tauri.conf.json > plugins > ${name}: expected an object, got ${JSON.stringify(fromFile)}`);
  }
  const merged: Record<string, unknown> = { ...(fromFile ?? {}) };
  for (const [key, value] of Object.entries(options ?? {})) if (value !== undefined) merged[key] = value;
  const result = schema['~standard'].validate(merged);
  if (result instanceof Promise) throw new AirlockError(ErrorCode.CONFIG, `plugin \`${name}\`: its config schema must be synchronous`);
  if (result.issues !== undefined) {
    const text = result.issues
      .map((issue) => {
        const at = (issue.path ?? []).map((p) => String(typeof p === 'object' && p !== null ? p.key : p)).join('.');
        return at === '' ? issue.message : `${at}: ${issue.message}`;
      })
      .join('; ');
    throw new AirlockError(ErrorCode.CONFIG, `plugins.${name} (tauri.conf.json, or the options given in code): ${text}`);
  }
  return result.value;
}
