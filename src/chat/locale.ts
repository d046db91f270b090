/**
 * Locale helpers shared by every room that writes to people: a text in both languages, the
 * operator's region and system names, and operator-local time.
 */
import type { Lang } from './lang.js';

export type Text = { zh: string; en: string };
export const t = (lang: Lang, text: Text): string => text[lang];

const regionNames: Record<string, Text> = {
  hangzhou: { zh: '杭州', en: 'Hangzhou' },
  ningbo: { zh: '宁波', en: 'Ningbo' },
  wenzhou: { zh: '温州', en: 'Wenzhou' },
};
export const regionName = (lang: Lang, region: string | null): string => (region ? regionNames[region]?.[lang] ?? region : '—');

const systemNames: Record<string, Text> = {
  crm: { zh: 'CRM 系统', en: 'CRM system' },
  resource: { zh: '资源管理系统', en: 'resource system' },
  nms: { zh: '网管系统', en: 'network management system' },
  ticket: { zh: '工单系统', en: 'ticket system' },
  billing: { zh: 'BOSS 计费系统', en: 'BOSS billing system' },
  risk: { zh: '风控系统', en: 'risk system' },
  sms: { zh: '短信平台', en: 'SMS gateway' },
  channel: { zh: '渠道系统', en: 'channel system' },
};
export const systemName = (lang: Lang, system: string): string => systemNames[system]?.[lang] ?? system;

/** The operator's wall clock (Asia/Shanghai, no daylight saving). */
export const OPERATOR_UTC_OFFSET_HOURS = 8;

/** Shanghai wall-clock time, as people in the operator read it: 2026-11-24 14:03. */
export function formatTime(d: Date | string, withSeconds = false): string {
  const date = typeof d === 'string' ? new Date(d) : d;
  const s = new Date(date.getTime() + OPERATOR_UTC_OFFSET_HOURS * 3600_000).toISOString();
  return `${s.slice(0, 10)} ${s.slice(11, withSeconds ? 19 : 16)}`;
}

/** An ISO instant as operator-local time with seconds; a time already written locally stays as is. */
export function localTime(value: string): string {
  return /^\d{4}-\d{2}-\d{2}T/.test(value) && !Number.isNaN(Date.parse(value)) ? formatTime(value, true) : value;
}

/** Items joined as each language lists them. */
export const listOf = (lang: Lang, items: readonly string[]): string => items.join(lang === 'zh' ? '、' : ', ');
