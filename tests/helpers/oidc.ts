/**
 * A real OpenID Connect provider for the tests (oidc-provider, in-process on a random loopback
 * port, with its development login and consent pages) and a browser-like HTTP client (cookie jar,
 * redirects followed by hand, the provider's forms posted).
 */
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import Provider from 'oidc-provider';

export async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise((resolve) => srv.close(resolve));
  return port;
}

/** A provider with one confidential client and any account name; the subject is the login name. */
export async function startProvider(redirectUri: string): Promise<{ issuer: string; close(): Promise<void> }> {
  let handler: http.RequestListener = (_req, res) => res.end();
  const server = http.createServer((req, res) => handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: 'switchboard',
        client_secret: 'test-client-secret',
        redirect_uris: [redirectUri],
        post_logout_redirect_uris: [redirectUri.replace('/callback', '')],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_post',
      },
    ],
    findAccount: (_ctx: unknown, id: string) => ({ accountId: id, claims: () => ({ sub: id, name: id }) }),
    claims: { openid: ['sub'], profile: ['name'] },
    features: { devInteractions: { enabled: true } },
    cookies: { keys: ['oidc-test-cookie-key'] },
  });
  provider.on('server_error', (_ctx: unknown, err: Error) => console.error('[oidc-provider]', err));
  handler = provider.callback();
  return { issuer, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** Just enough of a browser: cookies per origin, redirects by hand, HTML forms posted. */
export class Browser {
  readonly jar = new Map<string, Map<string, string>>();
  /** Every Set-Cookie header seen, for the attribute checks. */
  readonly setCookies: string[] = [];

  cookieFor(url: string, name: string): string | undefined {
    return this.jar.get(new URL(url).host)?.get(name);
  }

  async request(url: string, init: RequestInit = {}): Promise<Response> {
    const host = new URL(url).host;
    const cookies = [...(this.jar.get(host) ?? new Map<string, string>())].map(([k, v]) => `${k}=${v}`).join('; ');
    const headers = new Headers(init.headers);
    if (cookies) headers.set('cookie', cookies);
    const res = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const line of res.headers.getSetCookie()) {
      this.setCookies.push(line);
      const [pair, ...attrs] = line.split(';');
      const at = pair!.indexOf('=');
      const name = pair!.slice(0, at).trim();
      const value = pair!.slice(at + 1).trim();
      const jar = this.jar.get(host) ?? new Map<string, string>();
      this.jar.set(host, jar);
      const gone = value === '' || attrs.some((a) => /^\s*max-age=0\s*$/i.test(a)) || attrs.some((a) => /^\s*expires=Thu, 01 Jan 1970/i.test(a));
      if (gone) jar.delete(name);
      else jar.set(name, value);
    }
    return res;
  }

  /** GET and follow redirects; returns the last response and its URL. */
  async follow(url: string, init: RequestInit = {}): Promise<{ res: Response; url: string }> {
    let current = url;
    let res = await this.request(current, init);
    for (let hops = 0; res.status >= 300 && res.status < 400 && hops < 20; hops++) {
      current = new URL(res.headers.get('location')!, current).href;
      res = await this.request(current);
    }
    return { res, url: current };
  }

  /** The whole login: app -> provider -> login form -> consent form -> app callback -> /console. */
  /** How many times the last login() typed credentials into the provider's login form. */
  credentialsTyped = 0;

  async login(appUrl: string, account: string, start = '/console'): Promise<{ res: Response; url: string }> {
    this.credentialsTyped = 0;
    let step = await this.follow(`${appUrl}${start}`);
    for (let forms = 0; forms < 4 && step.res.status === 200 && !step.url.startsWith(appUrl); forms++) {
      const html = await step.res.text();
      const form = /<form[^>]*action="([^"]+)"[^>]*method="post">([\s\S]*?)<\/form>/.exec(html);
      if (!form) throw new Error(`no form at ${step.url}: ${html.slice(0, 300)}`);
      const fields = new URLSearchParams();
      for (const m of form[2]!.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)) fields.set(m[1]!, m[2]!);
      if (/name="login"/.test(form[2]!)) {
        fields.set('login', `u-${account}`); // the provider's subject for this person
        fields.set('password', 'any');
        this.credentialsTyped++;
      }
      const first = await this.request(new URL(form[1]!, step.url).href, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: fields.toString(),
      });
      step = { res: first, url: step.url };
      if (first.status >= 300 && first.status < 400) step = await this.follow(new URL(first.headers.get('location')!, step.url).href);
    }
    return step;
  }

  async api(method: string, url: string, body?: unknown, csrf?: string): Promise<{ status: number; json: Record<string, unknown> }> {
    const res = await this.request(url, {
      method,
      headers: { accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(csrf ? { 'x-csrf-token': csrf } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, json: text.startsWith('{') ? (JSON.parse(text) as Record<string, unknown>) : { text } };
  }
}


/** The app's environment for an OIDC console on `base` (http://127.0.0.1:PORT) behind this provider. */
export function oidcConsoleEnv(base: string, issuer: string): Record<string, string> {
  return {
    PORT: new URL(base).port,
    CONSOLE_AUTH: 'oidc',
    OIDC_ISSUER: issuer,
    OIDC_CLIENT_ID: 'switchboard',
    OIDC_CLIENT_SECRET: 'test-client-secret',
    OIDC_REDIRECT_URL: `${base}/console/callback`,
    OIDC_POST_LOGOUT_URL: `${base}/console`,
    SESSION_SECRET: randomBytes(32).toString('hex'),
  };
}
