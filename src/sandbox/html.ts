/**
 * HTML building for the legacy portals. Every interpolated value is escaped unless it is already
 * SafeHtml, so portal code cannot forget to escape data (addresses, notes, idempotency keys...).
 *
 * Conventions the RPA tools rely on:
 *  - labels, column and row headers read "中文 English" (e.g. "宽带账号 Broadband account");
 *  - key/value pages are tables of <th scope="row"> + <td data-field="...">;
 *  - list tables have <caption>, <th scope="col"> and <td data-field="...">, rows <tr data-id>;
 *  - errors are role="alert"; outcomes and empty results are role="status" with data-result.
 *
 * Layout 'b' (fault injection, layout.ts) keeps those semantic hooks (labels, captions, header
 * text, roles, data-result) but changes everything a position- or class-based robot would lean
 * on: rows in another order, columns reordered, other CSS classes and element ids, form labels
 * after their inputs, the menu moved below the content, no ids or rel attributes in the pager.
 */
import { currentLayout } from './layout.js';

export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

export type HtmlValue = SafeHtml | string | number | boolean | null | undefined | readonly HtmlValue[];

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

function render(v: HtmlValue): string {
  if (v === null || v === undefined || typeof v === 'boolean') return '';
  if (v instanceof SafeHtml) return v.value;
  if (Array.isArray(v)) return v.map(render).join('');
  return escapeHtml(String(v));
}

/** Tagged template: `html\`<td>${value}</td>\`` escapes value. Booleans render nothing (for `cond && html...`). */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) out += render(values[i] as HtmlValue) + (strings[i + 1] ?? '');
  return new SafeHtml(out);
}

export interface SystemInfo {
  prefix: string;
  nameZh: string;
  nameEn: string;
  /** Links in the system's menu bar. */
  menu: Array<{ href: string; label: string }>;
}

const STYLE = `
body{margin:0;font:12px/1.5 "SimSun","宋体",Tahoma,Verdana,sans-serif;background:#e8ecf0;color:#000}
.banner{background:linear-gradient(#2c5d8f,#1b3f66);color:#fff;padding:6px 10px;border-bottom:3px solid #f0a000}
.banner h1{font-size:18px;margin:0;display:inline}
.banner .user{float:right}
.banner .user form{display:inline}
.menu{background:#d4dce6;border-bottom:1px solid #8a9bb0;padding:3px 10px}
.menu a{margin-right:14px;color:#003399}
main{padding:10px}
h2{font-size:14px;background:#c9d3de;border:1px solid #8a9bb0;padding:3px 6px;margin:8px 0}
table{border-collapse:collapse;background:#fff;margin:6px 0}
caption{text-align:left;font-weight:bold;padding:3px 0}
th,td{border:1px solid #999;padding:3px 6px;text-align:left;vertical-align:top}
th{background:#dcdcdc;font-weight:normal}
tr:nth-child(even) td{background:#f4f4f4}
fieldset{border:1px solid #999;background:#f7f7f7;margin:6px 0}
label{display:inline-block;min-width:160px}
.field{margin:4px 0}
.hint{color:#666;margin-left:6px}
.err{color:#c00}
[role=alert]{border:1px solid #c00;background:#fee;color:#900;padding:6px;margin:6px 0}
.ok{border:1px solid #390;background:#efe;color:#060;padding:6px;margin:6px 0}
.info{border:1px solid #99a;background:#f6f6ff;padding:6px;margin:6px 0}
button{font:inherit;padding:1px 10px}
footer{color:#666;padding:10px;border-top:1px solid #bbb;margin-top:20px}
`;

export interface PageOptions {
  title: string;
  body: SafeHtml;
  system?: SystemInfo;
  /** Logged-in user; shows the logout button. */
  user?: string;
}

export function page(o: PageOptions): string {
  const s = o.system;
  const b = currentLayout() === 'b';
  const banner = s
    ? html`<header class="${b ? 'topbar-v2' : 'banner'}" role="banner"><h1>${s.nameZh} ${s.nameEn}</h1>${
        o.user
          ? html`<span class="user">当前用户 User: <span id="current-user">${o.user}</span>
<form method="post" action="${s.prefix}/logout"><button type="submit">退出 Logout</button></form></span>`
          : ''
      }</header>
${o.user && !b ? menuOf(s) : ''}`
    : html`<header class="${b ? 'topbar-v2' : 'banner'}" role="banner"><h1>运营支撑系统门户 OSS Portal</h1></header>`;
  const sideMenu = s && o.user && b ? menuOf(s).value : '';
  return `<!DOCTYPE html>
<html lang="zh-CN">
<head><meta charset="utf-8"><title>${escapeHtml(o.title)}${s ? ` - ${escapeHtml(s.nameZh)}` : ''}</title>
<style>${STYLE}</style></head>
<body>
${banner.value}
<main${b ? ' class="content-v2"' : ''}>
${o.body.value}
</main>
${sideMenu}<footer>© 2009-2026 省公司信息技术部 Provincial IT Dept. | 版本 v3.2.1 | 建议使用 IE8 及以上浏览器</footer>
</body>
</html>`;
}

function menuOf(s: SystemInfo): SafeHtml {
  const b = currentLayout() === 'b';
  return html`<nav class="${b ? 'sidenav-v2' : 'menu'}" aria-label="菜单 Menu">${s.menu.map((m) => html`<a href="${m.href}">${m.label}</a>`)}</nav>`;
}

/** Layout b's element ids: other names for the same tables and boxes. */
const idOf = (id: string): string => (currentLayout() === 'b' ? `v2_${id.replace(/-/g, '_')}` : id);

export interface DetailRow {
  label: string;
  /** data-field attribute: a stable, language-neutral hook. */
  field: string;
  value: HtmlValue;
}

/** Key/value table: one <th scope="row"> label and one <td> value per row. */
export function detailTable(caption: string, rows: DetailRow[], id?: string): SafeHtml {
  if (currentLayout() === 'b') {
    // Fields moved: the last rows come first, in reverse order.
    const moved = [...rows].reverse();
    return html`<div class="panel-v2"><table class="kv-v2"${id ? html` id="${idOf(id)}"` : ''}><caption>${caption}</caption><tbody>
${moved.map((r) => html`<tr class="kv-row"><th scope="row" class="kv-k">${r.label}</th><td class="kv-v" data-field="${r.field}">${r.value}</td></tr>\n`)}</tbody></table></div>`;
  }
  return html`<table class="detail"${id ? html` id="${id}"` : ''}><caption>${caption}</caption><tbody>
${rows.map((r) => html`<tr><th scope="row">${r.label}</th><td data-field="${r.field}">${r.value}</td></tr>\n`)}</tbody></table>`;
}

export interface Column {
  label: string;
  field: string;
}

export interface DataRow {
  id: string;
  cells: HtmlValue[];
}

export function dataTable(caption: string, columns: Column[], rows: DataRow[], id?: string): SafeHtml {
  const b = currentLayout() === 'b';
  // Layout b: columns in reverse order (cells follow their column).
  const order = columns.map((_, i) => i);
  if (b) order.reverse();
  return html`<table class="${b ? 'grid-v2' : 'list'}"${id ? html` id="${idOf(id)}"` : ''}><caption>${caption}</caption>
<thead><tr>${order.map((i) => html`<th scope="col">${columns[i]?.label ?? ''}</th>`)}</tr></thead>
<tbody>
${rows.map(
  (r) => html`<tr data-id="${r.id}">${order.map((i) => html`<td data-field="${columns[i]?.field ?? ''}">${r.cells[i]}</td>`)}</tr>\n`,
)}</tbody></table>`;
}

export interface TextFieldOptions {
  name: string;
  label: string;
  value?: string;
  type?: 'text' | 'password';
  hint?: string;
  error?: string;
  autocomplete?: string;
}

export function textField(o: TextFieldOptions): SafeHtml {
  const b = currentLayout() === 'b';
  const id = b ? `fld_${o.name}` : `f-${o.name}`;
  const describedBy = [o.hint ? `${id}-hint` : '', o.error ? `${id}-error` : ''].filter(Boolean).join(' ');
  const label = html`<label for="${id}">${o.label}</label>`;
  const input = html`<input type="${o.type ?? 'text'}" id="${id}" name="${o.name}" value="${o.value ?? ''}" size="40"${
    describedBy ? html` aria-describedby="${describedBy}"` : ''
  }${o.error ? html` aria-invalid="true"` : ''}${o.autocomplete ? html` autocomplete="${o.autocomplete}"` : ''}>`;
  const extra = html`${o.hint ? html`<span class="${b ? 'tip-v2' : 'hint'}" id="${id}-hint">${o.hint}</span>` : ''}${o.error ? html`<span class="err" id="${id}-error">${o.error}</span>` : ''}`;
  // Layout b: the label follows its input.
  return b
    ? html`<div class="frm-row-v2">${input}\n${label}\n${extra}</div>`
    : html`<div class="field">${label}\n${input}\n${extra}</div>`;
}

/** Errors: role=alert; `result` (data-result) names the outcome for robots, e.g. "conflict". */
export function alertBox(messages: string[], result = 'error'): SafeHtml {
  if (messages.length === 0) return html``;
  return html`<div role="alert" id="${idOf('error-message')}" data-result="${result}">${
    messages.length === 1 ? messages[0] : html`<ul>${messages.map((m) => html`<li>${m}</li>`)}</ul>`
  }</div>`;
}

/** A business outcome (saved, not found, ...): role=status plus a machine-readable data-result. */
export function statusBox(result: string, text: string, cls: 'ok' | 'info' = 'info'): SafeHtml {
  return html`<p role="status" id="${idOf('result-message')}" class="${cls}" data-result="${result}">${text}</p>`;
}

export const yesNo = (b: boolean): string => (b ? '是' : '否');

export interface PagerOptions {
  page: number;
  totalPages: number;
  totalRows: number;
  /** Builds the URL of another page. */
  href(page: number): string;
  noun: string;
}

export function pager(o: PagerOptions): SafeHtml {
  if (currentLayout() === 'b') {
    // Links first, counts after, no ids and no rel attributes.
    return html`<div class="pg-v2" role="navigation" aria-label="分页 Pagination">${
      o.page > 1 ? html`<a href="${o.href(o.page - 1)}">上一页 Prev</a> ` : ''
    }${o.page < o.totalPages ? html`<a href="${o.href(o.page + 1)}">下一页 Next</a> ` : ''}<span class="pg-cnt">共 ${o.totalRows} ${o.noun}</span> <span class="pg-no">第 ${o.page}/${o.totalPages} 页</span></div>`;
  }
  return html`<nav class="pager" aria-label="分页 Pagination"><span id="page-info">第 ${o.page}/${o.totalPages} 页</span>
<span id="total-rows">共 ${o.totalRows} ${o.noun}</span>
${o.page > 1 ? html`<a href="${o.href(1)}">首页 First</a> <a href="${o.href(o.page - 1)}" rel="prev">上一页 Prev</a>` : ''}
${o.page < o.totalPages ? html`<a href="${o.href(o.page + 1)}" rel="next">下一页 Next</a> <a href="${o.href(o.totalPages)}">末页 Last</a>` : ''}</nav>`;
}

/** Clamps a requested page number (query text) to 1..totalPages. */
export function pageNumber(raw: string | undefined, totalRows: number, pageSize: number): { page: number; totalPages: number } {
  const totalPages = Math.max(1, Math.ceil(totalRows / pageSize));
  const n = Number.parseInt(raw ?? '1', 10);
  return { page: Number.isFinite(n) ? Math.min(Math.max(1, n), totalPages) : 1, totalPages };
}

/** Builds "path?a=1&b=2", dropping empty values. */
export function urlWith(path: string, params: Record<string, string | number | undefined>): string {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') qs.set(k, String(v));
  const s = qs.toString();
  return s ? `${path}?${s}` : path;
}
