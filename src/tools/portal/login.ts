/** Logging in to a legacy portal the way a person does: by the form's labels. */
import type { Page } from 'playwright-core';
import type { LegacySystem } from '../define.js';
import { SystemError } from '../errors.js';
import { toSystemError } from '../browser-pool.js';

export interface PortalCredentials {
  username: string;
  password: string;
}

export function portalLogin(system: LegacySystem, creds: PortalCredentials) {
  return async (page: Page, baseUrl: string): Promise<void> => {
    try {
      const res = await page.goto(`${baseUrl}/login`, { waitUntil: 'domcontentloaded' });
      if (res && res.status() >= 500) throw new SystemError('unavailable', system, `${system}: login page answered HTTP ${res.status()}`);
      await page.getByLabel(/Username/i).fill(creds.username);
      await page.getByLabel(/Password/i).fill(creds.password);
      // The answer to the form post decides: 5xx is the portal failing (fail now, the runner
      // retries), anything but a redirect is a refusal; only a redirect is worth waiting for.
      const answer = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname.replace(/\/+$/, '').endsWith('/login'));
      const [res2] = await Promise.all([answer, page.getByRole('button', { name: /Login/i }).click()]);
      if (res2.status() >= 500) throw new SystemError('unavailable', system, `${system}: login answered HTTP ${res2.status()}`);
      if (res2.status() >= 300 && res2.status() < 400) {
        // Accepted. Wait for the landing page, or for the login form again with `expired`: the
        // portal dropped the fresh session at once (a restart, an expiry storm). That is an
        // expired session, not a refused login: the next attempt logs in again.
        await page
          .waitForURL((u) => !u.pathname.replace(/\/+$/, '').endsWith('/login') || u.searchParams.has('expired'), { timeout: 5_000 })
          .catch(() => undefined);
        if (new URL(page.url()).searchParams.has('expired')) {
          throw new SystemError('session_expired', system, `${system}: the portal dropped the session right after the login`);
        }
      } else {
        await page.waitForLoadState('domcontentloaded');
      }
    } catch (e) {
      throw toSystemError(e, system);
    }
    if (new URL(page.url()).pathname.replace(/\/+$/, '').endsWith('/login')) {
      // Bounded: a login form without an alert must not hold the page until the task deadline.
      const alert = await page.getByRole('alert').first().textContent({ timeout: 500 }).catch(() => null);
      // A refused login is a configuration fault (wrong robot credentials), not a user's problem.
      throw new SystemError('unavailable', system, `${system}: login refused${alert ? ` (${alert.trim()})` : ''}`);
    }
  };
}
