// Type tests of the typed client (checked by `tsc -p test/tsconfig.json`, never run): each `@ts-expect-error` line
// must be an error, so a regression in the inference (an `any` leaking in, a check lost) fails the type-check.
import { Builder, type CommandsOf, channel, command, PluginBuilder, stream } from 'airlock';
import { createClient } from 'airlock/client';
import { mockCore } from 'airlock/client/mocks';
import { Channel } from '@tauri-apps/api/core';
import { z } from 'zod';
import * as v from 'valibot';

const notes = new PluginBuilder('notes')
  .invokeHandler({
    read: command(z.object({ path: z.string() }), ({ path }) => ({ path, text: 'x' })),
    count: () => 3,
  })
  .build();

const builder = Builder.default()
  .invokeHandler({
    greet: command(z.object({ name: z.string() }), ({ name }) => `Hello, ${name}!`),
    // The schema's input type, not its output: `n` is a string the schema turns into a number.
    parse: command(z.object({ n: z.string().transform(Number) }), ({ n }) => n * 2),
    vali: command(v.object({ flag: v.boolean() }), ({ flag }) => !flag),
    add: (args: { a: number; b: number }) => args.a + args.b,
    later: async ({ ms }: { ms: number }) => ms > 0,
    bytes: () => new Uint8Array(4),
    progress: command(z.object({ onEvent: channel<number>() }), async ({ onEvent }) => {
      onEvent.send(1);
    }),
    upload: command(z.object({ file: stream() }), async ({ file }) => {
      let n = 0;
      for await (const chunk of file) n += chunk.byteLength;
      return n;
    }),
    invoke: () => 'a command named like a client method',
  })
  .plugin(notes)
  .manage(new (class Counter {})())
  .events({ progress: z.number(), saved: z.object({ path: z.string() }) })
  .setup(() => {});

export type AppCommands = CommandsOf<typeof builder>;
const client = createClient<AppCommands>();

export async function checks(): Promise<void> {
  const greeting: string = await client.greet({ name: 'Ada' });
  // @ts-expect-error a wrong command name
  await client.greeet({ name: 'Ada' });
  // @ts-expect-error a missing argument
  await client.greet({});
  // @ts-expect-error a wrong argument type
  await client.greet({ name: 42 });
  // @ts-expect-error the result is a string, not a number
  const wrong: number = await client.greet({ name: 'Ada' });

  const doubled: number = await client.parse({ n: '21' });
  // @ts-expect-error the page passes the schema's input (a string), not its output
  await client.parse({ n: 21 });
  const negated: boolean = await client.vali({ flag: true });
  // @ts-expect-error valibot schemas are read too
  await client.vali({ flag: 'yes' });

  const sum: number = await client.add({ a: 1, b: 2 });
  // @ts-expect-error a plain handler's first parameter types its args
  await client.add({ a: 1 });
  const awaited: boolean = await client.later({ ms: 1 });
  // @ts-expect-error async results are awaited: a boolean, not a Promise
  const notAwaited: Promise<boolean> = await client.later({ ms: 1 });
  const buffer: ArrayBuffer = await client.bytes();
  // @ts-expect-error bytes arrive as an ArrayBuffer, not a Uint8Array
  const view: Uint8Array = await client.bytes();

  await client.progress({ onEvent: new Channel<number>((n) => n.toFixed()) });
  // @ts-expect-error a channel's message type is checked
  await client.progress({ onEvent: new Channel<string>() });
  const uploaded: number = await client.upload({ file: new Blob(['x']).stream() });
  await client.upload({
    file: (async function* () {
      yield new Uint8Array(1);
    })(),
  });
  // @ts-expect-error a stream argument is a ReadableStream or an async iterable, not a string
  await client.upload({ file: 'data' });

  const note: { path: string; text: string } = await client.invoke('plugin:notes|read', { path: 'a' });
  const count: number = await client.invoke('plugin:notes|count');
  // @ts-expect-error plugin commands are checked through invoke as well
  await client.invoke('plugin:notes|read', { path: 1 });
  // @ts-expect-error an unknown plugin command
  await client.invoke('plugin:notes|write', {});
  const named: string = await client.invoke('invoke');
  // @ts-expect-error invoke's name is checked
  await client.invoke('nope');
  await client.greet({ name: 'Ada' }, { signal: AbortSignal.timeout(5), timeoutMs: 10 });

  const stop = await client.listen('progress', (e) => {
    const n: number = e.payload;
    // @ts-expect-error the payload is the declared schema's type
    const s: string = e.payload;
    void n;
    void s;
  });
  await stop();
  await client.emit('saved', { path: 'a' });
  // @ts-expect-error an emitted payload is checked
  await client.emit('saved', { path: 1 });
  // @ts-expect-error an undeclared event name
  await client.emit('unknown', 1);

  const core = mockCore<AppCommands>({
    greet: ({ name }) => `Hi ${name}`,
    progress: async ({ onEvent }) => {
      onEvent.send(1);
      // @ts-expect-error a mock channel sends the channel's message type
      onEvent.send('one');
    },
    upload: async ({ file }) => {
      let n = 0;
      for await (const c of file) n += c.byteLength;
      return n;
    },
    // @ts-expect-error a mock handler returns the command's result type
    add: () => 'three',
  });
  core.emit('progress', 1);
  // @ts-expect-error mock events are typed too
  core.emit('progress', 'one');
  void [greeting, wrong, doubled, negated, sum, awaited, notAwaited, buffer, view, uploaded, note, count, named];
}
