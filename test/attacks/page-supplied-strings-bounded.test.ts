// Security findings #6 and #7: strings a page supplies are bounded where the core keeps them.
// #6: event names (and target labels) had no length limit, so a page could pin hundreds of MiB in listener names
//     within `limits.maxListeners`; a call's headers had no bound either.
// #7: the inspector's history kept rejected values whole (an error that echoes the argument) after the page had
//     gone; it now keeps bounded excerpts.
import assert from 'node:assert/strict';
import { appInternals } from 'airlock/testing';
import { after, before, describe, test } from 'node:test';
import type { App, Server } from 'airlock';
import type { Browser, Page } from 'playwright-core';
import WebSocket from 'ws';
import { quietBuilder } from '../helpers/app.js';
import { launchBrowser, openPage } from '../helpers/browser.js';
import { testFrontend } from '../helpers/frontend.js';
import { connectWsPage, ticketFrom } from '../helpers/ws-page.js';

let browser: Browser;
let app: App;
let server: Server;
let page: Page;

before(async () => {
  browser = await launchBrowser();
  app = await quietBuilder()
    .invokeHandler({
      ping: () => 'pong',
      // A handler whose error echoes its argument, as validation messages do.
      strict: (args: unknown) => {
        throw new Error(`not a valid value: ${JSON.stringify(args)}`);
      },
      strict_object: (args: unknown) => {
        throw { reason: 'invalid', value: args };
      },
    })
    .build({ frontendDist: await testFrontend() });
  server = await app.serve({ port: 0, inspector: true });
  page = await openPage(browser, server.url('main'));
});

after(async () => {
  await browser?.close();
  await app?.close();
});

/** The close code, or 'still open' if the core has not closed the socket within 5 s. */
const closedWithin = (closed: Promise<number>): Promise<number | string> =>
  Promise.race([closed, new Promise<string>((r) => setTimeout(() => r('still open'), 5000).unref())]);

describe('event names and labels are bounded (#6)', () => {
  test('a page cannot listen or emit with a 1 MiB event name; 512 characters still work', async () => {
    const r = await page.evaluate(async () => {
      const { event } = window.api;
      const huge = 'a'.repeat(1024 * 1024);
      const outcome = (p: Promise<unknown>) =>
        p.then(
          () => 'accepted',
          (e: unknown) => (typeof e === 'string' ? e : ((e as { message?: string }).message ?? String(e))),
        );
      const ok = await event.listen('b'.repeat(512), () => {});
      ok();
      return {
        listen: await outcome(event.listen(huge, () => {})),
        emit: await outcome(event.emit(huge, 1)),
        emitToLabel: await outcome(event.emitTo('l'.repeat(1024 * 1024), 'x', 1)),
      };
    });
    assert.match(r.listen, /Event name is 1048576 characters long; the limit is 512/);
    assert.match(r.emit, /Event name is 1048576 characters long; the limit is 512/);
    assert.match(r.emitToLabel, /label is 1048576 characters long; the limit is 512/);
    assert.equal(appInternals(app).connection('main')?.stats.listeners, 0);
  });

  test('a call with oversized headers closes that page as a protocol violation', async () => {
    const client = await connectWsPage(server, `ticket.${ticketFrom(server.url('headers'))}`);
    client.ws.send(`{"t":"i","c":"ping","cb":1,"er":2,"a":{},"h":{"x-big":${JSON.stringify('v'.repeat(64 * 1024))}}}`);
    assert.equal(await closedWithin(client.closed), 4000);
    const many = await connectWsPage(server, `ticket.${ticketFrom(server.url('headers2'))}`);
    const h = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`x-${i}`, 'v']));
    many.ws.send(`{"t":"i","c":"ping","cb":1,"er":2,"a":{},"h":${JSON.stringify(h)}}`);
    assert.equal(await closedWithin(many.closed), 4000);
    assert.equal(await page.evaluate(() => window.api.core.invoke('ping')), 'pong');
  });
});

describe('the inspector keeps bounded excerpts (#7)', () => {
  test('errors that echo a 2 MiB argument are kept as excerpts of a few KiB after the page has gone', async () => {
    const client = await connectWsPage(server, `ticket.${ticketFrom(server.url('echoer'))}`);
    const value = { s: 'Z'.repeat(2 * 1024 * 1024) };
    await assert.rejects(client.invoke('strict', value));
    await assert.rejects(client.invoke('strict_object', value));
    await client.close();
    const inspector = new URL(server.inspector ?? '');
    const token = new URLSearchParams(inspector.hash.slice(1)).get('token') ?? '';
    const history = await new Promise<string>((resolve, reject) => {
      const ws = new WebSocket(`ws://${inspector.host}/ws`, [`airlock-inspector.${token}`], { headers: { origin: inspector.origin } });
      ws.once('message', (data) => {
        resolve(data.toString());
        ws.close();
      });
      ws.once('error', reject);
    });
    const records = JSON.parse(history) as Array<{ kind: string; command?: string; error?: unknown }>;
    const failed = records.filter((r) => r.kind === 'call' && (r.command === 'strict' || r.command === 'strict_object'));
    assert.equal(failed.length, 2);
    for (const r of failed) {
      assert.equal(typeof r.error, 'string');
      assert.ok((r.error as string).length <= 4096, `an excerpt, not ${(r.error as string).length} characters`);
      assert.match(r.error as string, /… \(\d+ more characters\)/);
    }
    assert.ok(history.length < 64 * 1024, `the whole history is ${history.length} characters`);
  });
});
