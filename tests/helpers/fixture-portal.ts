/**
 * A tiny legacy-portal imitation for the runtime's own tests (not the real sandbox): each system
 * lives under /<system>/, with a login form, a cookie session, and a few pages.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';

export interface TestPortal {
  url: string;
  /** Successful logins per system. */
  logins: Record<string, number>;
  /** Forget every session of one system (or all): the next request lands on the login page. */
  expireSessions(system?: string): void;
  close(): Promise<void>;
}

const page = (title: string, body: string) =>
  `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head><body>${body}</body></html>`;

export async function startTestPortal(): Promise<TestPortal> {
  const sessions = new Map<string, string>(); // sid -> system
  const logins: Record<string, number> = {};

  const send = (res: ServerResponse, status: number, html: string, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', ...headers });
    res.end(html);
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const [, system, ...rest] = url.pathname.split('/');
    const route = '/' + rest.join('/');
    if (!system) return send(res, 404, page('404', 'not found'));
    const sid = /(?:^|;\s*)sid=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
    const authed = sid !== undefined && sessions.get(sid) === system;

    if (route === '/login' && req.method === 'GET') {
      return send(
        res,
        200,
        page(
          '登录',
          `<form method="post" action="/${system}/login"><input name="user"><input name="password" type="password"><button type="submit">登录</button></form>`,
        ),
      );
    }
    if (route === '/login' && req.method === 'POST') {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const form = new URLSearchParams(body);
        if (form.get('password') !== 'secret') return send(res, 200, page('登录', '<p id="error">密码错误</p>'));
        const id = randomUUID();
        sessions.set(id, system);
        logins[system] = (logins[system] ?? 0) + 1;
        send(res, 303, '', { location: `/${system}/home`, 'set-cookie': `sid=${id}; Path=/${system}; HttpOnly` });
      });
      return;
    }
    if (!authed) return send(res, 302, '', { location: `/${system}/login` });
    if (route === '/home') return send(res, 200, page('home', `<h1 id="title">${system} home</h1>`));
    // A page that never answers in time (the server holds it 10 s).
    if (route === '/slow') {
      const t = setTimeout(() => send(res, 200, page('slow', '<p id="late">late</p>')), 10_000);
      res.on('close', () => clearTimeout(t));
      return;
    }
    if (route === '/broken') return send(res, 500, page('500', '<h1>Internal Server Error</h1>'));
    const port = /^\/ports\/([\w-]+)$/.exec(route);
    if (port) {
      return send(res, 200, page('port', `<span id="port">${port[1]}</span><span id="status">UP</span>`));
    }
    send(res, 404, page('404', 'not found'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    logins,
    expireSessions(system?: string) {
      for (const [sid, sys] of sessions) if (!system || sys === system) sessions.delete(sid);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The PortalLogin for the fixture: fill the form and wait until the portal leaves /login. */
export async function fixtureLogin(p: Page, baseUrl: string): Promise<void> {
  await p.goto(`${baseUrl}/login`);
  await p.fill('input[name=user]', 'robot');
  await p.fill('input[name=password]', 'secret');
  await Promise.all([p.waitForURL((u) => !u.pathname.endsWith('/login')), p.click('button[type=submit]')]);
}

/** A port on 127.0.0.1 that nothing listens on. */
export async function deadPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}
