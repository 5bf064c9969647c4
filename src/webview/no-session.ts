/**
 * A top-level page opened without a credential and with no session to resume (the core's bare origin, a bookmark,
 * a new tab) cannot reach the app. It says so at the top of the page and in the console, instead of looking fine
 * while every call rejects; its calls reject with the same message (socket.ts).
 */
import { g } from './globals.js';
import { NO_SESSION_MESSAGE } from './socket.js';

export const NO_SESSION_ELEMENT_ID = '__airlock-no-session';

export function showNoSession(): void {
  g.error(NO_SESSION_MESSAGE);
  const show = (): void => {
    if (document.getElementById(NO_SESSION_ELEMENT_ID) !== null) return;
    const host = document.createElement('div');
    host.id = NO_SESSION_ELEMENT_ID;
    host.setAttribute('role', 'alert');
    // A shadow root keeps the app's CSS off the notice and the notice's off the app.
    const root = host.attachShadow({ mode: 'closed' });
    const box = document.createElement('div');
    box.textContent = NO_SESSION_MESSAGE;
    box.setAttribute(
      'style',
      'position:fixed;z-index:2147483647;top:0;left:0;right:0;padding:12px 16px;background:#fff3cd;color:#5c4400;' +
        'font:14px/1.4 system-ui,sans-serif;border-bottom:1px solid #e0c36a;',
    );
    root.append(box);
    (document.body ?? document.documentElement).append(host);
  };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', show, { once: true });
  else show();
}
