/*
 * Switchboard local console: a chat with the bot as any seeded persona, and the approval cards
 * drawn by Microsoft's Adaptive Cards renderer from the very JSON Teams receives.
 *
 * Plain browser JS, no build step. Server text is only ever put into the page as text
 * (textContent / the renderer's own text handling), never as HTML.
 */
(function () {
  'use strict';

  var API = '/console/api';
  var POLL_MS = 1500;
  var STORAGE_KEY = 'switchboard.console.user';
  var DEFAULT_USER = 'alice';
  var EXAMPLES = [
    '查端口 OLT-HZ-01 0/1/3',
    'port OLT-HZ-01 0/1/3',
    '补全工单 T20261124-0012',
    'complete ticket T20261124-0012',
  ];
  var ROLE_LABELS = {
    cs_agent: '客服 / CS agent',
    field_tech: '装维 / Field tech',
    manager: '主管 / Manager',
    auditor: '稽核 / Auditor',
  };
  // Until the personas API answers, the switcher still works with the seeded directory.
  var FALLBACK_PERSONAS = [
    { id: 'alice', name: 'Alice', roles: ['cs_agent'] },
    { id: 'bob', name: 'Bob', roles: ['field_tech'] },
    { id: 'carol', name: 'Carol', roles: ['manager'] },
    { id: 'dave', name: 'Dave', roles: ['manager'] },
    { id: 'erin', name: 'Erin', roles: ['auditor'] },
  ];
  var FONT_STACK =
    '-apple-system, BlinkMacSystemFont, "Segoe UI", "PingFang SC", "Hiragino Sans GB", ' +
    '"Microsoft YaHei", "Noto Sans CJK SC", "Helvetica Neue", Arial, sans-serif';

  var AC = window.AdaptiveCards;

  // ---------------------------------------------------------------------------------------------
  // State

  var params = new URLSearchParams(window.location.search);
  var state = {
    user: cleanId(params.get('user')) || cleanId(safeStorageGet(STORAGE_KEY)) || DEFAULT_USER,
    conversation: '',
    customConversation: cleanId(params.get('conversation')),
    personas: FALLBACK_PERSONAS,
    sending: false,
    pendingSend: null, // { text, knownIds, el }
    // A persona switch bumps this, so answers to requests made for the previous persona are dropped.
    generation: 0,
    messages: new Map(), // id -> { updatedAt, el, body, notice, card }
    approvals: new Map(), // approvalId -> { signature, el, body, notice, card }
    // The approvals list is paged: the first page is refreshed by polling, later pages ("more")
    // are kept as loaded; `approvalsNext` is the cursor after the last page shown (null: the end).
    approvalsFirst: [],
    approvalsExtra: [],
    approvalsNext: null,
    approvalsTotal: null,
    approvalsAtLeast: false,
    loadingMore: false,
    pollTimer: 0,
    polling: false,
    // 'demo' (personas, loopback only) or 'oidc' (logged in; the server decides who we are).
    mode: 'demo',
    csrf: '',
  };
  state.conversation = state.customConversation || defaultConversation(state.user);

  var els = {
    persona: byId('persona'),
    conversation: byId('conversation-id'),
    connection: byId('connection'),
    transcript: byId('transcript'),
    messages: byId('messages'),
    pending: byId('pending'),
    empty: byId('empty'),
    examples: byId('examples'),
    form: byId('composer-form'),
    composer: byId('composer'),
    send: byId('send'),
    approvals: byId('approvals'),
    approvalList: byId('approval-list'),
    approvalsBulk: byId('approvals-bulk'),
    approvalsEmpty: byId('approvals-empty'),
    approvalsCount: byId('approvals-count'),
    approvalsMore: byId('approvals-more'),
    toasts: byId('toasts'),
  };

  // ---------------------------------------------------------------------------------------------
  // Helpers

  function byId(id) {
    return document.getElementById(id);
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (key) {
        var value = attrs[key];
        if (value === undefined || value === null || value === false) return;
        if (key === 'className') node.className = value;
        else if (key === 'text') node.textContent = value;
        else node.setAttribute(key, value === true ? '' : String(value));
      });
    }
    (children || []).forEach(function (child) {
      if (child) node.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
    });
    return node;
  }

  function cleanId(value) {
    if (!value) return '';
    var v = String(value).trim();
    return /^[A-Za-z0-9._:@-]{1,128}$/.test(v) ? v : '';
  }

  function defaultConversation(user) {
    return 'console-' + user;
  }

  function safeStorageGet(key) {
    try {
      return window.localStorage.getItem(key);
    } catch (e) {
      return null;
    }
  }

  function safeStorageSet(key, value) {
    try {
      window.localStorage.setItem(key, value);
    } catch (e) {
      /* private mode: the URL still carries the persona */
    }
  }

  // Cards show Beijing time whatever the server's zone; the page says the same, not the laptop's zone.
  var TIME_ZONE = 'Asia/Shanghai';
  var clockFormat = new Intl.DateTimeFormat('zh-CN', { timeZone: TIME_ZONE, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  var dayFormat = new Intl.DateTimeFormat('en-CA', { timeZone: TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit' });

  function formatTime(iso) {
    var d = new Date(iso);
    if (isNaN(d.getTime())) return '';
    var time = clockFormat.format(d);
    var day = dayFormat.format(d);
    if (day === dayFormat.format(new Date())) return time;
    return day.slice(5) + ' ' + time;
  }

  function personaName(id) {
    var p = state.personas.find(function (x) { return x.id === id; });
    return p ? p.name : id;
  }

  async function api(method, path, body) {
    var init = { method: method, headers: { accept: 'application/json' }, credentials: 'same-origin' };
    if (state.csrf && method !== 'GET') init.headers['x-csrf-token'] = state.csrf;
    if (body !== undefined) {
      init.headers['content-type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    var res = await fetch(API + path, init);
    var data = null;
    var raw = await res.text();
    if (raw) {
      try {
        data = JSON.parse(raw);
      } catch (e) {
        data = null;
      }
    }
    if (res.status === 401 && state.mode === 'oidc') {
      window.location.href = '/console/login';
    }
    if (!res.ok) {
      var message = data && typeof data.error === 'string' ? data.error : res.status + ' ' + res.statusText;
      var err = new Error(message);
      err.status = res.status;
      throw err;
    }
    return data || {};
  }

  function setConnection(ok, detail) {
    els.connection.dataset.state = ok ? 'ok' : 'down';
    els.connection.textContent = ok ? '已连接 / Connected' : '连接中断 / Offline';
    els.connection.title = detail || '';
  }

  // ---------------------------------------------------------------------------------------------
  // Notices: red/green lines near a card, and toasts for things with no card left to sit by.

  function showNotice(slot, level, text) {
    slot.textContent = '';
    if (!text) return;
    slot.appendChild(el('div', { className: 'notice notice-' + level, 'data-testid': 'notice', 'data-level': level, role: level === 'error' ? 'alert' : 'status', text: text }));
  }

  function toast(level, text) {
    var node = el('div', { className: 'toast notice notice-' + level, 'data-testid': 'notice', 'data-level': level, role: level === 'error' ? 'alert' : 'status', text: text });
    els.toasts.appendChild(node);
    setTimeout(function () {
      node.classList.add('leaving');
      setTimeout(function () { node.remove(); }, 300);
    }, level === 'error' ? 7000 : 4000);
  }

  // ---------------------------------------------------------------------------------------------
  // Adaptive Cards

  var fg = function (c, subtle) { return { default: c, subtle: subtle }; };
  var FOREGROUND = {
    default: fg('#1f2328', '#667085'),
    dark: fg('#101828', '#475467'),
    light: fg('#ffffff', '#f2f4f7'),
    accent: fg('#1d5fd1', '#3b7be0'),
    good: fg('#17803d', '#2f9a55'),
    warning: fg('#b35c00', '#c9771d'),
    attention: fg('#c4314b', '#d0576c'),
  };
  if (AC) {
    // Text stays plain text (and the library stops warning once per page). Teams applies its small
    // markdown subset; our cards do not rely on it.
    AC.AdaptiveCard.onProcessMarkdown = function (text, result) {
      result.didProcess = false;
    };
  }

  var HOST_CONFIG = AC
    ? new AC.HostConfig({
        fontFamily: FONT_STACK,
        supportsInteractivity: true,
        spacing: { small: 4, default: 8, medium: 14, large: 20, extraLarge: 28, padding: 14 },
        separator: { lineThickness: 1, lineColor: '#e4e7ec' },
        fontSizes: { small: 12, default: 14, medium: 16, large: 20, extraLarge: 24 },
        fontWeights: { lighter: 300, default: 400, bolder: 600 },
        containerStyles: {
          default: { backgroundColor: '#ffffff', foregroundColors: FOREGROUND },
          emphasis: { backgroundColor: '#f5f7fa', foregroundColors: FOREGROUND },
          accent: { backgroundColor: '#eaf1fd', foregroundColors: FOREGROUND },
          good: { backgroundColor: '#e9f6ee', foregroundColors: FOREGROUND },
          attention: { backgroundColor: '#fcebed', foregroundColors: FOREGROUND },
          warning: { backgroundColor: '#fdf3e6', foregroundColors: FOREGROUND },
        },
        actions: {
          maxActions: 5,
          spacing: 'default',
          buttonSpacing: 8,
          actionsOrientation: 'horizontal',
          actionAlignment: 'left',
          showCard: { actionMode: 'inline', inlineTopMargin: 12 },
        },
        factSet: {
          title: { color: 'default', size: 'default', isSubtle: true, weight: 'default', wrap: true, maxWidth: 160 },
          value: { color: 'default', size: 'default', isSubtle: false, weight: 'default', wrap: true },
          spacing: 12,
        },
        inputs: {
          label: {
            inputSpacing: 'small',
            requiredInputs: { weight: 'bolder', suffix: ' *', suffixColor: 'attention' },
            optionalInputs: { weight: 'default', isSubtle: true },
          },
          errorMessage: { color: 'attention', spacing: 'small' },
        },
      })
    : null;

  function cardInputValues(card) {
    var values = {};
    if (!card) return values;
    card.getAllInputs().forEach(function (input) {
      if (input.id && typeof input.value === 'string' && input.value !== '') values[input.id] = input.value;
    });
    return values;
  }

  function readInput(card, id) {
    var found = card.getAllInputs().find(function (input) { return input.id === id; });
    return found && typeof found.value === 'string' ? found.value : '';
  }

  function hasActions(json) {
    return Boolean(json && Array.isArray(json.actions) && json.actions.length > 0);
  }

  /**
   * Draws `json` into `host`. `carry` holds input values from the card this one replaces, so a
   * reason being typed survives a refresh of the same card.
   */
  function renderCard(host, json, slot, carry) {
    host.textContent = '';
    if (!AC) {
      host.appendChild(el('pre', { className: 'card-fallback', text: (json && json.fallbackText) || JSON.stringify(json, null, 2) }));
      showNotice(slot, 'error', 'Adaptive Cards 渲染库未加载 / The Adaptive Cards renderer did not load (/console/vendor/adaptivecards.js)');
      return null;
    }
    var card = new AC.AdaptiveCard();
    card.hostConfig = HOST_CONFIG;
    card.onExecuteAction = function (action) {
      onCardAction(action, card, host, slot);
    };
    try {
      card.parse(json);
      if (carry) {
        card.getAllInputs().forEach(function (input) {
          if (input.id && carry[input.id] !== undefined && 'defaultValue' in input) input.defaultValue = carry[input.id];
        });
      }
      var rendered = card.render();
      if (!rendered) throw new Error('render() returned nothing');
      host.appendChild(rendered);
      return card;
    } catch (err) {
      host.appendChild(el('pre', { className: 'card-fallback', text: (json && json.fallbackText) || '' }));
      showNotice(slot, 'error', '卡片无法显示 / The card could not be drawn: ' + err.message);
      return null;
    }
  }

  async function onCardAction(action, card, host, slot) {
    var verb = action.verb;
    // withdraw: the requester's own button; who clicked is the session's person, checked by the server.
    if (verb !== 'approve' && verb !== 'reject' && verb !== 'withdraw') {
      showNotice(slot, 'error', '未知操作 / Unknown action: ' + String(verb));
      return;
    }
    // Action.Execute merges the card's inputs into action.data before this handler runs.
    var data = action.data || {};
    var comment = typeof data.comment === 'string' ? data.comment : readInput(card, 'comment');
    comment = comment.trim();
    var body = { user: state.user, approvalId: data.approvalId, decision: verb };
    if (comment) body.comment = comment;

    var generation = state.generation;
    host.classList.add('busy');
    host.setAttribute('aria-busy', 'true');
    showNotice(slot, 'info', verb === 'approve' ? '正在提交批准… / Approving…' : verb === 'withdraw' ? '正在撤回… / Withdrawing…' : '正在提交驳回… / Rejecting…');
    try {
      var result = await api('POST', '/actions', body);
      if (generation !== state.generation) return;
      if (result.status === 'refused') {
        // `message` is the sentence for people; `reason` is a code (self_approval, comment_required, ...).
        var refusal = typeof result.message === 'string' && result.message ? result.message : result.reason;
        showNotice(slot, 'error', refusal || '操作被拒绝 / The action was refused');
      } else if (result.status === 'approved' || result.status === 'rejected' || result.status === 'voted' || result.status === 'withdrawn') {
        showNotice(slot, '', '');
        // A vote, a withdrawal or a bulk decision: the answer itself says what happened.
        toast('success', result.status === 'voted' || result.status === 'withdrawn' || String(data.approvalId).indexOf('bulk:') === 0 ? result.message : result.status === 'approved' ? '已批准 / Approved' : '已驳回 / Rejected');
        repliesToToasts(result.replies);
        refreshNow();
      } else {
        showNotice(slot, 'error', '未知结果 / Unexpected answer: ' + JSON.stringify(result.status));
      }
    } catch (err) {
      if (generation !== state.generation) return;
      showNotice(slot, 'error', err.message || String(err));
    } finally {
      host.classList.remove('busy');
      host.removeAttribute('aria-busy');
    }
  }

  function repliesToToasts(replies) {
    if (!Array.isArray(replies)) return;
    replies.forEach(function (r) {
      if (r && r.kind === 'text' && typeof r.text === 'string' && r.text) toast('info', r.text);
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Transcript

  function isNearBottom() {
    var t = els.transcript;
    return t.scrollHeight - t.scrollTop - t.clientHeight < 80;
  }

  function scrollToBottom() {
    els.transcript.scrollTop = els.transcript.scrollHeight;
  }

  function messageShell(m) {
    var mine = m.from === 'user';
    var who = mine ? personaName(m.user || state.user) : 'Switchboard';
    var meta = el('div', { className: 'msg-meta' }, [
      el('span', { className: 'msg-who', text: who }),
      el('time', { className: 'msg-time', datetime: m.at, text: formatTime(m.at) }),
    ]);
    var body = el('div', { className: m.kind === 'card' ? 'msg-card card-host' : 'bubble' });
    var notice = el('div', { className: 'notice-slot' });
    var node = el('li', {
      className: 'msg ' + (mine ? 'msg-user' : 'msg-bot'),
      'data-testid': 'message',
      'data-message-id': m.id,
      'data-from': m.from,
      'data-kind': m.kind,
      'data-approval-id': m.approvalId || undefined,
    }, [meta, body, notice]);
    return { el: node, body: body, notice: notice, card: null, updatedAt: null, json: null };
  }

  function fillMessage(entry, m) {
    entry.updatedAt = m.updatedAt || m.at;
    entry.el.dataset.updatedAt = entry.updatedAt;
    if (m.kind === 'card') {
      var carry = cardInputValues(entry.card);
      entry.json = m.card;
      entry.card = renderCard(entry.body, m.card, entry.notice, carry);
    } else {
      // textContent + `white-space: pre-wrap` keeps line breaks and never interprets markup.
      entry.body.textContent = typeof m.text === 'string' ? m.text : '';
      renderSuggestions(entry, m);
    }
  }

  /**
   * Suggested commands under a bot reply: a click sends the command as the user's own message,
   * through the same session (and so the same verified identity) as anything typed.
   */
  function renderSuggestions(entry, m) {
    var old = entry.el.querySelector('.suggestions');
    if (old) old.remove();
    var list = Array.isArray(m.suggestions) ? m.suggestions.filter(function (s) { return typeof s === 'string' && s; }) : [];
    if (m.from !== 'bot' || list.length === 0) return;
    var row = el('div', { className: 'suggestions', 'data-testid': 'suggestions' }, list.map(function (s) {
      var b = el('button', { type: 'button', className: 'suggestion', 'data-testid': 'suggestion', text: s });
      b.addEventListener('click', function () { send(s, false); });
      return b;
    }));
    entry.el.insertBefore(row, entry.notice);
  }

  function renderConversation(messages) {
    var stick = isNearBottom();
    var seen = new Set();
    var added = false;
    var cursor = els.messages.firstChild;
    messages.forEach(function (m) {
      if (!m || typeof m.id !== 'string') return;
      seen.add(m.id);
      var entry = state.messages.get(m.id);
      var version = m.updatedAt || m.at;
      if (!entry) {
        entry = messageShell(m);
        state.messages.set(m.id, entry);
        fillMessage(entry, m);
        added = true;
      } else if (entry.updatedAt !== version) {
        // Still pending and someone is typing a reason in it: keep their text and focus for now.
        var typing = entry.body.contains(document.activeElement) && hasActions(m.card) && hasActions(entry.json);
        if (!typing) fillMessage(entry, m);
      }
      if (entry.el !== cursor) els.messages.insertBefore(entry.el, cursor);
      else cursor = cursor.nextSibling;
    });
    state.messages.forEach(function (entry, id) {
      if (!seen.has(id)) {
        entry.el.remove();
        state.messages.delete(id);
      }
    });
    els.empty.hidden = messages.length > 0 || Boolean(state.pendingSend);

    var p = state.pendingSend;
    if (p && p.el && messages.some(function (m) { return m.from === 'user' && m.text === p.text && !p.knownIds.has(m.id); })) {
      p.el.remove();
      p.el = null;
    }
    if (added && stick) scrollToBottom();
  }

  async function refreshConversation() {
    var generation = state.generation;
    // The newest 200 messages (the most one page gives), as the transcript showed before it was paged.
    var data = await api('GET', '/conversations/' + encodeURIComponent(state.conversation) + '?user=' + encodeURIComponent(state.user) + '&limit=200');
    if (generation !== state.generation) return;
    renderConversation(Array.isArray(data.messages) ? data.messages : []);
  }

  // ---------------------------------------------------------------------------------------------
  // Approvals waiting for the current persona

  function approvalShell(a) {
    var meta = el('div', { className: 'approval-meta' });
    var body = el('div', { className: 'card-host' });
    var notice = el('div', { className: 'notice-slot' });
    var node = el('div', { className: 'approval', 'data-testid': 'approval', 'data-approval-id': a.approvalId }, [meta, body, notice]);
    return { el: node, meta: meta, body: body, notice: notice, card: null, signature: null, json: null };
  }

  // The API gives the requester as { id, name, department }: a name and a department, never the
  // object itself (it once showed "[object Object]").
  function requesterLabel(r) {
    if (!r) return '';
    if (typeof r === 'string') return r;
    var name = typeof r.name === 'string' && r.name ? r.name : typeof r.id === 'string' ? r.id : '';
    return typeof r.department === 'string' && r.department ? name + ' · ' + r.department : name;
  }

  function fillApproval(entry, a) {
    entry.el.dataset.status = a.status || '';
    entry.meta.textContent = '';
    entry.meta.appendChild(el('span', { className: 'approval-from', text: '申请人 / From: ' + requesterLabel(a.requester) }));
    if (a.expiresAt) entry.meta.appendChild(el('span', { className: 'muted', text: '截止 / Due ' + formatTime(a.expiresAt) }));
    var carry = cardInputValues(entry.card);
    entry.json = a.card;
    entry.card = renderCard(entry.body, a.card, entry.notice, carry);
  }

  function renderApprovals(list) {
    var seen = new Set();
    var cursor = els.approvalList.firstChild;
    list.forEach(function (a) {
      if (!a || typeof a.approvalId !== 'string') return;
      seen.add(a.approvalId);
      // No updatedAt here, and the server may re-render the countdown: compare the whole item.
      var signature = JSON.stringify([a.status, a.title, requesterLabel(a.requester), a.expiresAt, a.card]);
      var entry = state.approvals.get(a.approvalId);
      if (!entry) {
        entry = approvalShell(a);
        state.approvals.set(a.approvalId, entry);
        entry.signature = signature;
        fillApproval(entry, a);
      } else if (entry.signature !== signature) {
        var typing = entry.body.contains(document.activeElement) && hasActions(a.card);
        if (!typing) {
          entry.signature = signature;
          fillApproval(entry, a);
        }
      }
      if (entry.el !== cursor) els.approvalList.insertBefore(entry.el, cursor);
      else cursor = cursor.nextSibling;
    });
    state.approvals.forEach(function (entry, id) {
      if (!seen.has(id)) {
        entry.el.remove();
        state.approvals.delete(id);
      }
    });
    els.approvalsEmpty.hidden = state.approvals.size > 0;
    // The total is the server's (every page); without one, what is shown.
    var count = typeof state.approvalsTotal === 'number' ? state.approvalsTotal : state.approvals.size;
    // A capped count (more than the server counts) reads "1000+".
    els.approvalsCount.textContent = String(count) + (state.approvalsAtLeast ? '+' : '');
    els.approvalsCount.dataset.zero = count === 0 ? 'true' : 'false';
    els.approvalsMore.hidden = !state.approvalsNext;
  }

  function showApprovals() {
    var first = new Set(state.approvalsFirst.map(function (a) { return a && a.approvalId; }));
    renderApprovals(state.approvalsFirst.concat(state.approvalsExtra.filter(function (a) { return a && !first.has(a.approvalId); })));
  }

  function itemsOf(data) {
    return data && Array.isArray(data.approvals) ? data.approvals : [];
  }

  async function refreshApprovals() {
    var generation = state.generation;
    var data = await api('GET', '/approvals?user=' + encodeURIComponent(state.user));
    if (generation !== state.generation) return;
    state.approvalsFirst = itemsOf(data);
    state.approvalsTotal = data && typeof data.total === 'number' ? data.total : null;
    state.approvalsAtLeast = !!(data && data.totalAtLeast === true);
    // Until "more" was used, the first page's cursor is the one to continue from.
    if (state.approvalsExtra.length === 0) state.approvalsNext = data && typeof data.next === 'string' ? data.next : null;
    showApprovals();
    renderBulk(data && Array.isArray(data.bulk) ? data.bulk : []);
  }

  /**
   * "Approve all N of this kind": one button per kind the policy lets this person approve in bulk;
   * a click sends the chat command (as their own message), whose answer is the one bulk card.
   */
  function renderBulk(kinds) {
    var list = kinds.filter(function (k) { return k && typeof k.command === 'string' && typeof k.count === 'number'; });
    var signature = JSON.stringify(list);
    if (els.approvalsBulk.dataset.signature === signature) return;
    els.approvalsBulk.dataset.signature = signature;
    els.approvalsBulk.textContent = '';
    list.forEach(function (k) {
      var b = el('button', { type: 'button', className: 'suggestion', 'data-testid': 'bulk-approve', 'data-tool': k.tool, text: '全部批准此类 ' + k.count + ' 项 / Approve all ' + k.count + ' of this kind: ' + k.action });
      b.addEventListener('click', function () { send(k.command, false); });
      els.approvalsBulk.appendChild(b);
    });
    els.approvalsBulk.hidden = list.length === 0;
  }

  async function loadMoreApprovals() {
    if (state.loadingMore || !state.approvalsNext) return;
    var generation = state.generation;
    state.loadingMore = true;
    els.approvalsMore.disabled = true;
    try {
      var data = await api('GET', '/approvals?user=' + encodeURIComponent(state.user) + '&cursor=' + encodeURIComponent(state.approvalsNext));
      if (generation !== state.generation) return;
      state.approvalsExtra = state.approvalsExtra.concat(itemsOf(data));
      state.approvalsNext = data && typeof data.next === 'string' ? data.next : null;
      showApprovals();
    } catch (e) {
      toast('error', '更多加载失败 / Could not load more: ' + (e && e.message ? e.message : String(e)));
    } finally {
      state.loadingMore = false;
      els.approvalsMore.disabled = false;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Polling

  async function poll() {
    if (state.polling) return;
    state.polling = true;
    clearTimeout(state.pollTimer);
    try {
      var results = await Promise.allSettled([refreshConversation(), refreshApprovals()]);
      var failed = results.find(function (r) { return r.status === 'rejected'; });
      setConnection(!failed, failed ? String(failed.reason && failed.reason.message) : '');
    } finally {
      state.polling = false;
      state.pollTimer = setTimeout(poll, POLL_MS);
    }
  }

  function refreshNow() {
    if (state.polling) {
      // The running round may have read the old state: go again right after it.
      clearTimeout(state.pollTimer);
      state.pollTimer = setTimeout(refreshNow, 100);
      return;
    }
    poll();
  }

  // ---------------------------------------------------------------------------------------------
  // Sending

  function updateComposer() {
    els.send.disabled = state.sending || els.composer.value.trim() === '';
    els.composer.setAttribute('aria-busy', state.sending ? 'true' : 'false');
    els.send.textContent = state.sending ? '处理中… / Working…' : '发送 / Send';
    Array.prototype.forEach.call(els.examples.querySelectorAll('button'), function (b) {
      b.disabled = state.sending;
    });
  }

  function autoGrow() {
    els.composer.style.height = 'auto';
    els.composer.style.height = Math.min(els.composer.scrollHeight, 160) + 'px';
  }

  async function send(text, fromComposer) {
    text = (text || '').trim();
    if (!text || state.sending) return;
    state.sending = true;
    if (fromComposer) {
      els.composer.value = '';
      autoGrow();
    }
    var generation = state.generation;
    var pending = {
      text: text,
      knownIds: new Set(state.messages.keys()),
      el: el('div', { className: 'msg msg-user msg-pending', 'data-testid': 'pending-message' }, [
        el('div', { className: 'msg-meta' }, [el('span', { className: 'msg-who', text: personaName(state.user) })]),
        el('div', { className: 'bubble', text: text }),
      ]),
      typing: el('div', { className: 'msg msg-bot typing', 'data-testid': 'typing' }, [
        el('div', { className: 'bubble' }, [
          el('span', { className: 'dots', 'aria-hidden': 'true' }, [el('i'), el('i'), el('i')]),
          el('span', { text: '正在处理 / Working' }),
        ]),
      ]),
    };
    state.pendingSend = pending;
    els.pending.appendChild(pending.el);
    els.pending.appendChild(pending.typing);
    els.empty.hidden = true;
    scrollToBottom();
    updateComposer();
    try {
      var result = await api('POST', '/messages?wait=1', { user: state.user, conversation: state.conversation, text: text });
      if (generation === state.generation && Array.isArray(result.replies) && result.replies.length === 0) {
        toast('info', '已收到，暂无回复 / Received, no reply');
      }
    } catch (err) {
      if (generation === state.generation) {
        toast('error', '发送失败 / Not sent: ' + (err.message || String(err)));
        if (fromComposer && els.composer.value === '') els.composer.value = text;
      }
    } finally {
      if (pending.el) pending.el.remove();
      pending.typing.remove();
      if (state.pendingSend === pending) state.pendingSend = null;
      state.sending = false;
      updateComposer();
      autoGrow();
      refreshNow();
      if (fromComposer) els.composer.focus();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Persona

  function personaLabel(p) {
    var roles = (p.roles || []).map(function (r) { return ROLE_LABELS[r] || r; }).join('、');
    return p.name + (roles ? ' — ' + roles : '');
  }

  function renderPersonas() {
    els.persona.textContent = '';
    var list = state.personas.slice();
    if (!list.some(function (p) { return p.id === state.user; })) list.push({ id: state.user, name: state.user, roles: [] });
    list.forEach(function (p) {
      els.persona.appendChild(el('option', { value: p.id, text: personaLabel(p), title: p.department || '' }));
    });
    els.persona.value = state.user;
  }

  function syncLocation() {
    var q = new URLSearchParams(window.location.search);
    q.set('user', state.user);
    if (state.customConversation) q.set('conversation', state.customConversation);
    else q.delete('conversation');
    window.history.replaceState(null, '', window.location.pathname + '?' + q.toString());
    safeStorageSet(STORAGE_KEY, state.user);
    els.conversation.textContent = state.conversation;
    document.title = personaName(state.user) + ' · Switchboard 控制台 / Console';
  }

  function switchPersona(user) {
    if (!user || user === state.user) return;
    state.generation += 1;
    state.user = user;
    state.customConversation = '';
    state.conversation = defaultConversation(user);
    state.messages.clear();
    state.approvals.clear();
    state.approvalsFirst = [];
    state.approvalsExtra = [];
    state.approvalsNext = null;
    state.approvalsTotal = null;
    state.approvalsAtLeast = false;
    els.messages.textContent = '';
    els.pending.textContent = '';
    state.pendingSend = null;
    state.sending = false;
    els.approvalList.textContent = '';
    renderApprovals([]);
    renderBulk([]);
    els.empty.hidden = false;
    syncLocation();
    updateComposer();
    refreshNow();
  }

  async function loadPersonas() {
    try {
      var data = await api('GET', '/personas');
      if (Array.isArray(data.personas) && data.personas.length > 0) {
        state.personas = data.personas.filter(function (p) { return p && typeof p.id === 'string'; });
        if (!params.get('user') && !state.personas.some(function (p) { return p.id === state.user; })) {
          switchPersona(state.personas[0].id);
        }
      }
    } catch (err) {
      toast('error', '无法载入身份列表 / Could not load personas: ' + err.message);
    }
    renderPersonas();
    syncLocation();
  }

  // ---------------------------------------------------------------------------------------------
  // Wiring

  function init() {
    EXAMPLES.forEach(function (text) {
      var chip = el('button', { type: 'button', className: 'chip', 'data-testid': 'example', text: text });
      chip.addEventListener('click', function () { send(text, false); });
      els.examples.appendChild(chip);
    });

    els.approvalsMore.addEventListener('click', function () { loadMoreApprovals(); });

    els.form.addEventListener('submit', function (e) {
      e.preventDefault();
      send(els.composer.value, true);
    });
    els.composer.addEventListener('keydown', function (e) {
      // Enter while an IME is composing Chinese picks a candidate; it must not send.
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
        e.preventDefault();
        send(els.composer.value, true);
      }
    });
    els.composer.addEventListener('input', function () {
      autoGrow();
      updateComposer();
    });
    els.persona.addEventListener('change', function () {
      switchPersona(els.persona.value);
    });

    if (!AC) toast('error', 'Adaptive Cards 渲染库未加载 / The Adaptive Cards renderer did not load');

    renderPersonas();
    syncLocation();
    updateComposer();
    renderApprovals([]);
    renderBulk([]);
    els.empty.hidden = false;
    loadSession().then(function (loggedIn) {
      if (!loggedIn) loadPersonas();
      poll();
    });
  }

  // Behind a login the server says who we are; the persona picker is the demo's alone.
  async function loadSession() {
    var data;
    try {
      data = await api('GET', '/session');
    } catch (err) {
      return false;
    }
    if (!data || data.mode !== 'oidc' || !data.user) return false;
    state.mode = 'oidc';
    state.csrf = data.csrfToken || '';
    state.personas = [{ id: data.user.id, name: data.user.name, roles: data.user.roles || [] }];
    if (state.user !== data.user.id) {
      state.user = data.user.id;
      state.customConversation = '';
      state.conversation = defaultConversation(state.user);
    }
    renderPersonas();
    els.persona.disabled = true;
    var logout = el('button', { type: 'button', className: 'chip', 'data-testid': 'logout', text: '退出 / Log out' });
    logout.addEventListener('click', async function () {
      try {
        var out = await api('POST', '/../logout');
        window.location.href = (out && out.redirect) || '/console';
      } catch (err) {
        toast('error', '退出失败 / Logout failed: ' + err.message);
      }
    });
    els.persona.parentNode.parentNode.appendChild(logout);
    syncLocation();
    return true;
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
