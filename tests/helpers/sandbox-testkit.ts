/**
 * Helpers for the sandbox's own tests: log in through the real login form and read values out of
 * the rendered HTML by the same stable hooks (data-field, data-id, data-result) the tools use.
 */
import type { FastifyInstance } from 'fastify';

export function decodeHtml(s: string): string {
  return s
    .replace(/<[^>]*>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .trim();
}

/** Text of the first <td data-field="name"> (inside the element with id `within`, if given). */
export function field(html: string, name: string, within?: string): string | undefined {
  const scope = within ? sectionById(html, within) : html;
  const m = new RegExp(`<td data-field="${name}">([\\s\\S]*?)</td>`).exec(scope);
  return m ? decodeHtml(m[1] as string) : undefined;
}

function sectionById(html: string, id: string): string {
  const start = html.indexOf(`id="${id}"`);
  if (start < 0) return '';
  const end = html.indexOf('</table>', start);
  return html.slice(start, end < 0 ? undefined : end);
}

/** data-id of each body row of the table with this id. */
export function rowIds(html: string, tableId: string): string[] {
  return [...sectionById(html, tableId).matchAll(/<tr data-id="([^"]*)">/g)].map((m) => decodeHtml(m[1] as string));
}

export function resultOf(html: string): string | undefined {
  return /data-result="([^"]*)"/.exec(html)?.[1];
}

export function hiddenValue(html: string, name: string): string | undefined {
  return new RegExp(`<input type="hidden" name="${name}" value="([^"]*)">`).exec(html)?.[1];
}

export const form = (fields: Record<string, string>) => ({
  payload: new URLSearchParams(fields).toString(),
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
});

/** Logs in through POST {prefix}/login and returns the Cookie header value. */
export async function login(app: FastifyInstance, prefix: string, user = 'rpa_bot', password = 'sandbox'): Promise<string> {
  const f = form({ username: user, password, next: prefix });
  const res = await app.inject({ method: 'POST', url: `${prefix}/login`, payload: f.payload, headers: f.headers });
  const setCookie = res.headers['set-cookie'];
  const cookie = (Array.isArray(setCookie) ? setCookie[0] : setCookie)?.split(';')[0];
  if (res.statusCode !== 302 || !cookie) throw new Error(`login to ${prefix} failed: ${res.statusCode}`);
  return cookie;
}
