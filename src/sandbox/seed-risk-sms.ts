/**
 * Seed of the two HTTP-API systems: the real-name & risk service's lists and the SMS gateway's
 * templates and opt-outs. Deterministic: built from the seeded CRM customers (seed.ts), picking
 * them by customer id, so the same customers are listed for every seed (their numbers follow the
 * seed; read them from state.customers).
 *
 * Demo entries (risk service, GET /risk/api/blacklist):
 *  - fraud (mobile): the mobile of C000045 — "涉诈号码 / Number reported for fraud", since 2026-03-18,
 *    source "反诈中心 Anti-fraud centre". Risk level high.
 *  - blacklist (residentId): the resident id of C000066 — "恶意欠费 / Malicious arrears", since
 *    2025-12-02, source "集团黑名单 Group blacklist". Risk level high.
 *  - arrears_risk (residentId): the resident id of the first ARREARS customer other than C000045
 *    (C000003 with the default seed) — "他网欠费 / Arrears with another operator", since 2026-09-30,
 *    source "征信 Credit bureau". Risk level medium.
 *  - watch (mobile): the mobile of C000077 — "短期内多次补卡 / Several SIM replacements in a short
 *    time", since 2026-11-10, source "风控规则 Risk rule R-07". Risk level medium.
 *  - C000123 (mobile 13857101234, resident id 330106198503121231) is clean: no hits, risk low.
 *
 * SMS gateway (templates in SMS_TEMPLATES; the tool keeps a preview copy, tested against this):
 *  - SMS_FAULT_NOTICE, SMS_APPOINTMENT_NOTICE, SMS_RESTORE_NOTICE, SMS_ARREARS_REMINDER.
 *  - Opted out (sending answers 409 opted_out): the mobile of C000088.
 *  - No messages at start; every accepted message is appended to state.sms.messages.
 */
import type { Customer } from './state.js';

export type RiskList = 'blacklist' | 'fraud' | 'arrears_risk' | 'watch';

export interface RiskEntry {
  list: RiskList;
  subject: 'mobile' | 'residentId';
  /** Full value; the tool masks it. */
  value: string;
  reason: string;
  /** YYYY-MM-DD */
  since: string;
  source: string;
}

export interface RiskWorld {
  entries: RiskEntry[];
}

export interface SmsTemplate {
  id: string;
  name: string;
  /** With {placeholders}; every placeholder is a required parameter. */
  text: string;
}

export interface SmsMessage {
  messageId: string;
  mobile: string;
  templateId: string;
  params: Record<string, string>;
  text: string;
  status: 'queued' | 'sent' | 'delivered' | 'failed';
  idempotencyKey: string;
  /** Sandbox clock, ISO 8601. */
  createdAt: string;
  /** The API user that sent it. */
  sentBy: string;
}

export interface SmsWorld {
  templates: SmsTemplate[];
  /** Mobiles that refused notices (退订). */
  optedOut: string[];
  messages: SmsMessage[];
}

export const RISK_DEMO = {
  fraudMobileOf: 'C000045',
  blacklistedIdOf: 'C000066',
  watchMobileOf: 'C000077',
  optedOutMobileOf: 'C000088',
  cleanCustomer: 'C000123',
} as const;

export const SMS_TEMPLATES: readonly SmsTemplate[] = [
  {
    id: 'SMS_FAULT_NOTICE',
    name: '故障受理通知 Fault notice',
    text: '【中国电信】尊敬的客户，您报修的故障（工单 {ticketId}）已受理，预计 {eta} 前处理完毕，给您带来不便敬请谅解。',
  },
  {
    id: 'SMS_APPOINTMENT_NOTICE',
    name: '上门预约通知 Appointment notice',
    text: '【中国电信】尊敬的客户，装维工程师将于 {window} 上门处理工单 {ticketId}，如需改约请致电 10000。',
  },
  {
    id: 'SMS_RESTORE_NOTICE',
    name: '故障恢复通知 Restore notice',
    text: '【中国电信】尊敬的客户，您报修的故障（工单 {ticketId}）已于 {restoredAt} 修复，如仍有问题请致电 10000。',
  },
  {
    id: 'SMS_ARREARS_REMINDER',
    name: '欠费提醒 Arrears reminder',
    text: '【中国电信】尊敬的客户，您的账户截至 {period} 欠费 {amount} 元，请于 {dueDate} 前缴清，以免影响正常使用。',
  },
];

/** Placeholder names of a template text, in order of first appearance. */
export function templateParams(text: string): string[] {
  return [...new Set([...text.matchAll(/\{([a-zA-Z]\w*)\}/g)].map((m) => m[1] as string))];
}

export function renderTemplate(text: string, params: Record<string, string>): string {
  return text.replace(/\{([a-zA-Z]\w*)\}/g, (m, name: string) => params[name] ?? m);
}

export function buildRiskSmsSeed(customers: readonly Customer[]): { risk: RiskWorld; sms: SmsWorld } {
  const byId = (id: string): Customer => {
    const c = customers.find((x) => x.id === id);
    if (!c) throw new Error(`risk/sms seed: customer ${id} missing`);
    return c;
  };
  const arrears = customers.find((c) => c.status === 'ARREARS' && c.id !== RISK_DEMO.fraudMobileOf);
  const entries: RiskEntry[] = [
    {
      list: 'fraud',
      subject: 'mobile',
      value: byId(RISK_DEMO.fraudMobileOf).mobile,
      reason: '涉诈号码 / Number reported for fraud',
      since: '2026-03-18',
      source: '反诈中心 Anti-fraud centre',
    },
    {
      list: 'blacklist',
      subject: 'residentId',
      value: byId(RISK_DEMO.blacklistedIdOf).residentId,
      reason: '恶意欠费 / Malicious arrears',
      since: '2025-12-02',
      source: '集团黑名单 Group blacklist',
    },
    ...(arrears
      ? [
          {
            list: 'arrears_risk' as const,
            subject: 'residentId' as const,
            value: arrears.residentId,
            reason: '他网欠费 / Arrears with another operator',
            since: '2026-09-30',
            source: '征信 Credit bureau',
          },
        ]
      : []),
    {
      list: 'watch',
      subject: 'mobile',
      value: byId(RISK_DEMO.watchMobileOf).mobile,
      reason: '短期内多次补卡 / Several SIM replacements in a short time',
      since: '2026-11-10',
      source: '风控规则 Risk rule R-07',
    },
  ];
  return {
    risk: { entries },
    sms: {
      templates: SMS_TEMPLATES.map((t) => ({ ...t })),
      optedOut: [byId(RISK_DEMO.optedOutMobileOf).mobile],
      messages: [],
    },
  };
}
