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

const severityNames: Record<string, Text> = {
  critical: { zh: '严重', en: 'critical' },
  major: { zh: '主要', en: 'major' },
  minor: { zh: '次要', en: 'minor' },
  warning: { zh: '警告', en: 'warning' },
};
/** An alarm severity (X.733) as the reader says it: critical -> 严重. */
export const severityName = (lang: Lang, severity: string): string => severityNames[severity]?.[lang] ?? severity;

const alarmTypeNames: Record<string, string> = {
  los: '光信号丢失 LOS',
  lof: '帧丢失 LOF',
  'dying gasp': '掉电告警 Dying gasp',
  'high temperature': '温度过高',
  'low rx power': '收光功率过低',
  'high ber': '误码率过高',
  'fan failure': '风扇故障',
  'board fault': '单板故障',
  'config mismatch': '配置不一致',
};
/** An alarm type in a Chinese reply (the NMS names it in English); English replies keep the NMS name. */
export const alarmTypeName = (lang: Lang, type: string): string => (lang === 'zh' ? alarmTypeNames[type.toLowerCase()] ?? type : type);

const ticketStatusNames: Record<string, Text> = {
  open: { zh: '待处理', en: 'open' },
  new: { zh: '新建', en: 'new' },
  acknowledged: { zh: '已受理', en: 'acknowledged' },
  in_progress: { zh: '处理中', en: 'in progress' },
  dispatched: { zh: '已派单', en: 'dispatched' },
  pending: { zh: '挂起', en: 'pending' },
  resolved: { zh: '已解决', en: 'resolved' },
  closed: { zh: '已关闭', en: 'closed' },
  cancelled: { zh: '已取消', en: 'cancelled' },
};
/** A ticket status word as the reader says it: in_progress -> 处理中. */
export const ticketStatusName = (lang: Lang, status: string): string => ticketStatusNames[status]?.[lang] ?? status;
