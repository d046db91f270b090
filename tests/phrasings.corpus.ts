/**
 * Everyday phrasings of every skill, as customer-service agents, technicians and managers type
 * them (issue 13 "Understanding without an LLM"), with what the command planner should make of
 * each. Planned at a fixed operator-local clock (2026-12-01 10:00 Asia/Shanghai), so relative
 * dates have one right answer. `free` lines are free text that mentions an id: the planner must
 * leave them to the LLM (flow 'unknown'), never answer them as some other command.
 */
export const CORPUS_NOW = new Date('2026-12-01T02:00:00Z');

export interface Phrasing {
  text: string;
  /** The plan's fields that must match (a subset of the plan). */
  expect: Record<string, unknown>;
}

const T = 'T20261124-0012';
const port = { flow: 'port.status', olt: 'OLT-HZ-01', fsp: '0/1/3' };
const tshow = { flow: 'ticket.show', ticketId: T };
const tcomplete = { flow: 'ticket.complete', ticketId: T };
const cust = { flow: 'customer.show', customer: { customerId: 'C000123' } };
const bills = { flow: 'bills.show', customer: { customerId: 'C000123' } };
const elig = { flow: 'plan.eligibility', customer: { customerId: 'C000123' }, planCode: 'P5G_199' };
const wo = { flow: 'workorder.show', workOrderId: 'W20261124-0001' };
const recon = { flow: 'recon.channel', channelId: 'CH001', period: '2026-10' };
const ack = { flow: 'alarm.ack', alarmId: 'ALM900001' };
const black = { flow: 'blacklist.check', mobile: '13857101234' };
const idv = { flow: 'identity.verify', customer: { customerId: 'C000123' }, residentId: '11010519491231002X' };
const alarms = { flow: 'alarms.list', ne: 'OLT-HZ-01' };
const disp = { flow: 'workorder.dispatch', ticketId: T, priority: 'P2', start: '2026-12-02 09:00', end: '2026-12-02 11:00' };
const note = (n: string) => ({ flow: 'ticket.note', ticketId: T, note: n });
const upd = (field: string, value: string) => ({ flow: 'ticket.update', ticketId: 'T20261124-0013', field, value });
const sms = (templateId: string, params: Record<string, string>) => ({ flow: 'sms.send', mobile: '13857101234', templateId, params });
const batch = (...mobiles: string[]) => ({ flow: 'numbers.batch', mobiles });
const free = { flow: 'unknown' };

export const PHRASINGS: readonly Phrasing[] = [
  // port.status
  { text: '查端口 OLT-HZ-01 0/1/3', expect: port },
  { text: '看下OLT-HZ-01 0/1/3光功率', expect: port },
  { text: 'OLT-HZ-01 0/1/3 怎么样了', expect: port },
  { text: 'OLT-HZ-01 0-1-3 端口状态', expect: port },
  { text: 'OLT-HZ-01 0—1—3 光衰多少', expect: port },
  { text: 'OLT－HZ－01 ０／１／３', expect: port },
  { text: 'olt-hz-01 0 / 1 / 3 状态咋样', expect: port },
  { text: 'check port OLT-HZ-01 0/1/3', expect: port },
  { text: 'how is OLT-HZ-01 0/1/3 doing?', expect: port },
  { text: 'optical power of OLT-HZ-01 0/1/3', expect: port },
  { text: 'port status OLT-HZ-01 0/1/3 please', expect: port },
  // alarms.list
  { text: '查告警 OLT-HZ-01', expect: alarms },
  { text: 'OLT-HZ-01 有告警吗', expect: alarms },
  { text: 'OLT-HZ-01 有什么告警', expect: alarms },
  { text: '看看OLT-HZ-01的告警', expect: alarms },
  { text: 'OLT-HZ-01 0/1/3 的告警', expect: { ...alarms, object: '0/1/3' } },
  { text: 'alarms OLT-HZ-01', expect: alarms },
  { text: 'any alarms on OLT-HZ-01?', expect: alarms },
  { text: 'show alarms for OLT-HZ-01', expect: alarms },
  { text: 'active alarms OLT-HZ-01 0/1/3', expect: { ...alarms, object: '0/1/3' } },
  { text: 'OLT-HZ-01 当前有哪些告警？', expect: alarms },
  // ticket.show
  { text: '查工单 T20261124-0012', expect: tshow },
  { text: '工单T20261124-0012', expect: tshow },
  { text: 'T20261124-0012', expect: tshow },
  { text: '看下工单 T20261124-0012 什么情况', expect: tshow },
  { text: 'T20261124-0012 这个单子什么状态', expect: tshow },
  { text: '查一下 T20261124—0012', expect: tshow },
  { text: '工单 Ｔ２０２６１１２４－００１２', expect: tshow },
  { text: 'ticket T20261124-0012', expect: tshow },
  { text: 'show me ticket T20261124-0012', expect: tshow },
  { text: "what's the status of ticket T20261124-0012?", expect: tshow },
  { text: 'look up T2026 1124-0012', expect: tshow },
  // ticket.complete
  { text: '补全工单 T20261124-0012', expect: tcomplete },
  { text: 'T20261124-0012 补一下', expect: tcomplete },
  { text: '工单T20261124-0012缺啥', expect: tcomplete },
  { text: 'T20261124-0012 缺什么字段，帮我补上', expect: tcomplete },
  { text: '帮我把T20261124-0012补全', expect: tcomplete },
  { text: 'T20261124-0012 这张单子缺的信息帮我找一下填上', expect: tcomplete },
  { text: '补齐 T20261124-0012', expect: tcomplete },
  { text: 'complete ticket T20261124-0012', expect: tcomplete },
  { text: 'fill in T20261124-0012', expect: tcomplete },
  { text: 'what is missing on T20261124-0012', expect: tcomplete },
  { text: 'please fill the missing fields of ticket T20261124-0012', expect: tcomplete },
  // customer.show
  { text: '查客户 C000123', expect: cust },
  { text: '客户信息 C000123', expect: cust },
  { text: 'C000123 客户资料', expect: cust },
  { text: '看下客户C000123', expect: cust },
  { text: '查一下客户 C000123 的资料', expect: cust },
  { text: '客户 C000123 是谁', expect: cust },
  { text: 'customer info C000123', expect: cust },
  { text: 'customer C000123', expect: cust },
  { text: 'who is customer C000123?', expect: cust },
  { text: 'look up customer C000123', expect: cust },
  // identity.verify
  { text: '核验身份 C000123 11010519491231002X', expect: idv },
  { text: '核验一下 C000123 身份证 11010519491231002X', expect: idv },
  { text: 'C000123 身份证11010519491231002X 对不对', expect: idv },
  { text: '实名核验 C000123 110105 19491231 002X', expect: idv },
  { text: '验证身份 C000123 11010519491231002X 姓名 张伟', expect: { ...idv, name: '张伟' } },
  { text: '帮我核对一下C000123的身份证号11010519491231002X', expect: idv },
  { text: 'verify id C000123 11010519491231002X', expect: idv },
  { text: 'check id C000123 11010519491231002X', expect: idv },
  { text: 'verify identity of C000123 11010519491231002X', expect: idv },
  { text: 'is 11010519491231002X the id of C000123?', expect: idv },
  // blacklist.check
  { text: '黑名单 13857101234', expect: black },
  { text: '13857101234 是不是黑名单', expect: black },
  { text: '查下13857101234在不在黑名单', expect: black },
  { text: '138 5710 1234 有没有风险', expect: black },
  { text: '查风险 138-5710-1234', expect: black },
  { text: '13857101234 风险查询', expect: black },
  { text: 'blacklist 13857101234', expect: black },
  { text: 'is 13857101234 blacklisted?', expect: black },
  { text: 'risk check 13857101234', expect: black },
  { text: 'check blacklist for +86 138 5710 1234', expect: black },
  // bills.show
  { text: '查账单 C000123', expect: bills },
  { text: 'C000123 欠费多少', expect: bills },
  { text: 'C000123欠多少钱', expect: bills },
  { text: '客户C000123的话费', expect: bills },
  { text: 'C000123 有没有欠费', expect: bills },
  { text: '查一下C000123这几个月的账单', expect: bills },
  { text: '查账单 C000123 2026-09 2026-11', expect: { ...bills, from: '2026-09', to: '2026-11' } },
  { text: 'bills C000123', expect: bills },
  { text: 'how much does C000123 owe?', expect: bills },
  { text: 'show the bill of C000123', expect: bills },
  { text: 'arrears of C000123', expect: bills },
  // plan.eligibility
  { text: '能否办理 P5G_199 C000123', expect: elig },
  { text: 'C000123 能办 P5G_199 吗', expect: elig },
  { text: 'C000123能不能办P5G_199', expect: elig },
  { text: 'C000123 可以办理 P5G_199 吗？', expect: elig },
  { text: 'P5G_199 C000123 能办吗', expect: elig },
  { text: '客户C000123办P5G_199有没有资格', expect: elig },
  { text: 'eligible C000123 P5G_199', expect: elig },
  { text: 'can C000123 take P5G_199?', expect: elig },
  { text: 'is C000123 eligible for P5G_199', expect: elig },
  { text: 'can customer C000123 get plan P5G_199', expect: elig },
  // workorder.show
  { text: '查派单 W20261124-0001', expect: wo },
  { text: 'W20261124-0001', expect: wo },
  { text: '派单W20261124-0001什么情况', expect: wo },
  { text: '看下派单 W20261124-0001', expect: wo },
  { text: 'W20261124-0001 到哪了', expect: wo },
  { text: '工单派单 W20261124—0001 状态', expect: wo },
  { text: 'work order W20261124-0001', expect: wo },
  { text: 'show work order W20261124-0001', expect: wo },
  { text: 'status of W20261124-0001', expect: wo },
  { text: 'wo W20261124-0001', expect: wo },
  // numbers.batch
  { text: '批量查询号码状态 13857101234 13857101235', expect: batch('13857101234', '13857101235') },
  { text: '号码状态 13857101234,13857101235', expect: batch('13857101234', '13857101235') },
  { text: '批量查号 13857101234、13857101235', expect: batch('13857101234', '13857101235') },
  { text: '查一下这些号码的状态 13857101234 13857101235', expect: batch('13857101234', '13857101235') },
  { text: '这几个号码状态 13857101234 13857101235', expect: batch('13857101234', '13857101235') },
  { text: '13857101234 号码状态', expect: batch('13857101234') },
  { text: 'batch status 13857101234 13857101235', expect: batch('13857101234', '13857101235') },
  { text: 'number status 13857101234', expect: batch('13857101234') },
  { text: 'status of numbers 13857101234 13857101235', expect: batch('13857101234', '13857101235') },
  { text: 'check these numbers 13857101234 13857101235', expect: batch('13857101234', '13857101235') },
  // recon.channel
  { text: '对账 CH001 2026-10', expect: recon },
  { text: 'CH001 10月对账', expect: recon },
  { text: '渠道CH001 2026年10月 对一下账', expect: recon },
  { text: '对下账 CH001 2026/10', expect: recon },
  { text: 'CH001 上个月对账', expect: { ...recon, period: '2026-11' } },
  { text: '核对渠道 CH001 2026-10 的结算', expect: recon },
  { text: 'reconcile CH001 2026-10', expect: recon },
  { text: 'recon CH001 October 2026', expect: recon },
  { text: 'reconcile channel CH001 for 2026-10', expect: recon },
  { text: 'reconcile CH001 last month', expect: { ...recon, period: '2026-11' } },
  // workorder.dispatch
  { text: '派单 T20261124-0012 杭州装维一组 P2 明天上午9点到11点', expect: { ...disp, team: '杭州装维一组' } },
  { text: '派单 T20261124-0012 杭州装维一组 P2 明天 9:00-11:00', expect: { ...disp, team: '杭州装维一组' } },
  { text: '派单 T20261124-0012 给杭州装维一组 P2 12月2日 9点-11点', expect: { ...disp, team: '杭州装维一组' } },
  { text: '派工 T20261124-0012 杭州装维一组 P2 2026-12-02 09:00—11:00', expect: { ...disp, team: '杭州装维一组' } },
  { text: '派单 T20261124-0012 杭州装维一组 P2 明天9-11点', expect: { ...disp, team: '杭州装维一组' } },
  { text: '派单 T20261124-0012 杭州装维一组 P2 明早9点到11点', expect: { ...disp, team: '杭州装维一组' } },
  { text: 'dispatch T20261124-0012 to 杭州装维一组 P2 tomorrow 9-11', expect: { ...disp, team: '杭州装维一组' } },
  { text: 'dispatch T20261124-0012 to 杭州装维一组 P2 tomorrow 9am-11am', expect: { ...disp, team: '杭州装维一组' } },
  { text: 'dispatch T20261124-0012 to team 杭州装维一组 P2 2026-12-02 09:00-11:00', expect: { ...disp, team: '杭州装维一组' } },
  { text: 'dispatch T20261124-0012 to 杭州装维一组 P2 tomorrow 09:00 to 11:00', expect: { ...disp, team: '杭州装维一组' } },
  // ticket.note
  { text: '工单备注 T20261124-0012 用户已重启光猫', expect: note('用户已重启光猫') },
  { text: '工单 T20261124-0012 加备注：用户已重启光猫', expect: note('用户已重启光猫') },
  { text: 'T20261124-0012 加个备注 用户已重启光猫', expect: note('用户已重启光猫') },
  { text: '给T20261124-0012加备注：用户已重启光猫', expect: note('用户已重启光猫') },
  { text: '备注一下 T20261124-0012 用户已重启光猫', expect: note('用户已重启光猫') },
  { text: 'T20261124-0012 备注：用户已重启光猫', expect: note('用户已重启光猫') },
  { text: 'add note T20261124-0012 customer restarted the ONU', expect: note('customer restarted the ONU') },
  { text: 'add a note to T20261124-0012: customer restarted the ONU', expect: note('customer restarted the ONU') },
  { text: 'note on ticket T20261124-0012: customer restarted the ONU', expect: note('customer restarted the ONU') },
  { text: 'ticket T20261124-0012 add note customer restarted the ONU', expect: note('customer restarted the ONU') },
  // ticket.update
  { text: '更新工单 T20261124-0013 地址 杭州市西湖区文三路 400 号', expect: upd('address', '杭州市西湖区文三路 400 号') },
  { text: '工单T20261124-0013 地址改成 杭州市西湖区文三路 400 号', expect: upd('address', '杭州市西湖区文三路 400 号') },
  { text: '把T20261124-0013的地址改为杭州市西湖区文三路400号', expect: upd('address', '杭州市西湖区文三路400号') },
  { text: '修改工单 T20261124-0013 宽带账号 hz81000124', expect: upd('broadbandAccount', 'hz81000124') },
  { text: 'T20261124-0013 宽带账号改成hz81000124', expect: upd('broadbandAccount', 'hz81000124') },
  { text: '更正工单 T20261124-0013 端口 OLT-HZ-01 0/1/4', expect: upd('accessPort', 'OLT-HZ-01 0/1/4') },
  { text: 'update ticket T20261124-0013 address 400 Wensan Road', expect: upd('address', '400 Wensan Road') },
  { text: 'change the address of T20261124-0013 to 400 Wensan Road', expect: upd('address', '400 Wensan Road') },
  { text: 'set T20261124-0013 onu sn HWTC87654321', expect: upd('onuSn', 'HWTC87654321') },
  { text: 'correct ticket T20261124-0013 broadband account hz81000124', expect: upd('broadbandAccount', 'hz81000124') },
  // alarm.ack
  { text: '确认告警 ALM900001', expect: ack },
  { text: '告警ALM900001确认一下', expect: ack },
  { text: 'ALM900001 确认', expect: ack },
  { text: '帮我确认下 ALM900001', expect: ack },
  { text: '确认告警 ALM-900001 已派人处理', expect: { ...ack, note: '已派人处理' } },
  { text: '确认 ALM900001 告警', expect: ack },
  { text: 'ack alarm ALM900001', expect: ack },
  { text: 'ack ALM900001', expect: ack },
  { text: 'acknowledge ALM900001', expect: ack },
  { text: 'please acknowledge alarm ALM900001', expect: ack },
  // sms.send
  { text: '发短信 13857101234 SMS_FAULT_NOTICE ticketId=T20261124-0012 eta=18:00', expect: sms('SMS_FAULT_NOTICE', { ticketId: T, eta: '18:00' }) },
  { text: '给13857101234发个故障短信 工单T20261124-0012 18点前修好', expect: sms('SMS_FAULT_NOTICE', { ticketId: T, eta: '2026-12-01 18:00' }) },
  { text: '给13857101234发个故障通知短信，工单T20261124-0012，预计今天18:00前修好', expect: sms('SMS_FAULT_NOTICE', { ticketId: T, eta: '2026-12-01 18:00' }) },
  { text: '发个预约短信给13857101234 工单T20261124-0012 明天上午9点到11点上门', expect: sms('SMS_APPOINTMENT_NOTICE', { ticketId: T, window: '2026-12-02 09:00-11:00' }) },
  { text: '给 138 5710 1234 发恢复短信 工单T20261124-0012 今天10点已修复', expect: sms('SMS_RESTORE_NOTICE', { ticketId: T, restoredAt: '2026-12-01 10:00' }) },
  { text: '发短信 13857101234 SMS_FAULT_NOTICE ticket=T20261124-0012 time=明天18:00', expect: sms('SMS_FAULT_NOTICE', { ticketId: T, eta: '2026-12-02 18:00' }) },
  { text: 'send sms 13857101234 SMS_FAULT_NOTICE ticketId=T20261124-0012 eta=18:00', expect: sms('SMS_FAULT_NOTICE', { ticketId: T, eta: '18:00' }) },
  { text: 'send a fault sms to 13857101234 for ticket T20261124-0012, fixed by 6pm', expect: sms('SMS_FAULT_NOTICE', { ticketId: T, eta: '2026-12-01 18:00' }) },
  { text: 'text 13857101234 the fault notice for T20261124-0012 eta tomorrow 18:00', expect: sms('SMS_FAULT_NOTICE', { ticketId: T, eta: '2026-12-02 18:00' }) },
  { text: 'send an appointment sms to 13857101234 for T20261124-0012 tomorrow 9-11', expect: sms('SMS_APPOINTMENT_NOTICE', { ticketId: T, window: '2026-12-02 09:00-11:00' }) },
  // typos: answered with "did you mean", never a different action
  { text: '查工单 T2O261124-0012', expect: { flow: 'clarify', suggestions: [{ text: '查工单 T20261124-0012' }] } },
  { text: '查工单 T2026124-0012', expect: { flow: 'clarify' } },
  { text: 'ticket T20261124-O012', expect: { flow: 'clarify', suggestions: [{ text: 'ticket T20261124-0012' }] } },
  { text: '查客户 C00O123', expect: { flow: 'clarify', suggestions: [{ text: '查客户 C000123' }] } },
  // free text that mentions an id is not a command (goes to the LLM when one is configured)
  { text: '工单T20261124-0012的客户昨天投诉了，怎么安抚比较好', expect: free },
  { text: 'T20261124-0012 的用户说要退订宽带，流程是什么', expect: free },
  { text: 'the customer on ticket T20261124-0012 wants a refund, what should I tell him', expect: free },
  { text: '13857101234 这个用户脾气很差，下次来电提醒我', expect: free },
  { text: 'OLT-HZ-01 是哪年上线的，厂家是谁', expect: free },
  { text: 'C000123 想把宽带移机到宁波，要准备什么材料', expect: free },
];
