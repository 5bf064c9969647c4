/** `plugin:event|…`: Tauri's event plugin, in full. */
import { callInternals } from '../../core/internal.js';
import { PluginBuilder } from '../../core/plugin.js';
import { assertEventName, parseTarget } from '../../core/targets.js';
import { type Args, record, required, u32 } from './args.js';

function eventName(args: Args, command: string): string {
  const v = required(args, 'event', command);
  assertEventName(v, command);
  return v;
}

export const eventPlugin = new PluginBuilder('event')
  .invokeHandler({
    listen: (raw: unknown, ctx) => {
      const args = record(raw, 'listen', 'event');
      const event = eventName(args, 'listen');
      const target = parseTarget(args['target'] ?? { kind: 'Any' }, 'listen');
      return callInternals(ctx).connection.addListener(event, target, u32(args, 'handler', 'listen'));
    },
    unlisten: (raw: unknown, ctx) => {
      const args = record(raw, 'unlisten', 'event');
      callInternals(ctx).connection.removeListener(eventName(args, 'unlisten'), u32(args, 'eventId', 'unlisten'));
      return null;
    },
    emit: (raw: unknown, ctx) => {
      const args = record(raw, 'emit', 'event');
      const event = eventName(args, 'emit');
      const { connection, host } = callInternals(ctx);
      connection.takeEmit();
      host.emitFrom(connection, { kind: 'Any' }, event, args['payload']);
      return null;
    },
    emit_to: (raw: unknown, ctx) => {
      const args = record(raw, 'emit_to', 'event');
      const target = parseTarget(required(args, 'target', 'emit_to'), 'emit_to');
      const event = eventName(args, 'emit_to');
      const { connection, host } = callInternals(ctx);
      connection.takeEmit();
      host.emitFrom(connection, target, event, args['payload']);
      return null;
    },
  })
  .build();
