// wsrouter console: a WebSocket test client built from the specs (see /console/spec.json).
// Plain browser JavaScript, no build step and no dependency: it must work offline.
'use strict';

(() => {
  // The admin operations the panel offers, by operationId; their forms come from openapi.yaml.
  const ADMIN_OPERATIONS = [
    'getWsStats',
    'listConnections',
    'broadcast',
    'disconnectConnection',
    'createNotification',
    'createTestSession',
  ];
  // Codes the browser itself reports (RFC 6455), which the router's table does not list.
  const BROWSER_CLOSE_CODES = {
    1001: ['going_away', 'The page or the server went away.'],
    1005: ['no_status', 'The connection closed without a close code.'],
    1006: ['abnormal_closure',
      'The connection dropped without a close frame (server unreachable, or the upgrade was refused).'],
  };
  const TYPING_SHOWN_MS = 3000;

  const $ = (id) => document.getElementById(id);
  const state = {
    spec: null,
    ws: null,
    connectionId: null,
    filledTemplate: null, // the text last put in the message box, to tell user edits apart
    typing: new Map(), // username -> timer
  };

  // ------------------------------------------------------------------ helpers

  function element(tag, attributes = {}, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attributes)) {
      if (value === undefined || value === null || value === false) continue;
      if (key === 'className') node.className = value;
      else if (key === 'text') node.textContent = value;
      else if (key.startsWith('data-') || key.startsWith('aria-')) node.setAttribute(key, value);
      else if (value === true) node.setAttribute(key, '');
      else node[key] = value;
    }
    for (const child of children) {
      if (child !== null && child !== undefined) node.append(child);
    }
    return node;
  }

  // The specs' prose marks code with backticks; show it as code, everything else as text.
  function setProse(node, text) {
    node.replaceChildren(...(text ?? '').split(/(`[^`]+`)/).filter(Boolean).map((part) =>
      (part.startsWith('`') && part.endsWith('`') && part.length > 2
        ? element('code', { text: part.slice(1, -1) }) : document.createTextNode(part))));
    return node;
  }

  function clock(date) {
    const pad = (n, width = 2) => String(n).padStart(width, '0');
    return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}` +
      `.${pad(date.getMilliseconds(), 3)}`;
  }

  function pretty(text) {
    try {
      return { value: JSON.parse(text), text: JSON.stringify(JSON.parse(text), null, 2) };
    } catch {
      return { value: undefined, text };
    }
  }

  function currentType() {
    const name = $('connection-type').value;
    return state.spec?.websocket?.connection_types.find((t) => t.name === name);
  }

  // ------------------------------------------------------------------ frame log

  function appendToLog(entry) {
    const log = $('log');
    log.append(entry);
    log.scrollTop = log.scrollHeight;
  }

  function logFrame(direction, raw) {
    const now = new Date();
    const { value, text } = pretty(raw);
    const type = value && typeof value === 'object' && !Array.isArray(value) ? value.type : undefined;
    const entry = element('li', {
      className: `frame frame-${direction}`,
      'data-direction': direction,
      'data-type': type ?? '',
    },
    element('time', { dateTime: now.toISOString(), text: clock(now) }),
    element('span', {
      className: 'direction',
      text: direction === 'out' ? '→' : '←',
      title: direction === 'out' ? 'sent' : 'received',
      'aria-hidden': 'true',
    }),
    element('span', { className: 'frame-type' },
      element('span', { className: 'sr-only', text: direction === 'out' ? 'sent ' : 'received ' }),
      type ?? '(not JSON)'),
    element('pre', { className: 'frame-body', text }));
    if (direction === 'in' && type) {
      for (const action of replyActions(value)) entry.append(action);
    }
    appendToLog(entry);
  }

  function logEvent(kind, text) {
    const now = new Date();
    appendToLog(element('li', { className: `event event-${kind}`, 'data-event': kind },
      element('time', { dateTime: now.toISOString(), text: clock(now) }),
      element('span', { className: 'direction', text: '•', 'aria-hidden': 'true' }),
      setProse(element('span', { className: 'event-text' }), text)));
  }

  // A received frame of type T with an `id` can be answered by any message whose template
  // has a `T_id` field (a `notification` by `mark_notification_read`), read from the spec.
  function replyActions(frame) {
    const type = currentType();
    if (!type || frame.id === undefined) return [];
    const field = `${frame.type}_id`;
    const actions = [];
    for (const message of type.send) {
      const example = message.examples[0]?.payload;
      if (!example || !(field in example)) continue;
      const payload = { ...example, [field]: frame.id };
      actions.push(element('button', {
        type: 'button',
        className: 'reply-action',
        text: message.title,
        'aria-label': `${message.title} ${frame.id}`,
        'data-reply-type': message.type,
        onclick: () => send(JSON.stringify(payload)),
      }));
    }
    return actions;
  }

  // ------------------------------------------------------------------ connection

  function setStatus(stateName, text) {
    const status = $('status');
    status.dataset.state = stateName;
    status.textContent = text;
    const open = stateName === 'open';
    $('send').disabled = !open;
    $('disconnect').disabled = stateName === 'closed';
  }

  function describeClose(code, reason) {
    const known = state.spec?.websocket?.close_codes.find((entry) => entry.code === code);
    const [name, description] = known ? [known.name, known.description]
      : BROWSER_CLOSE_CODES[code] ?? ['unknown', 'A code the router does not document.'];
    let text = `Closed ${code} ${name}: ${description}`;
    if (reason) text += ` Reason: “${reason}”.`;
    if (known) {
      text += known.retry ? ' Reconnecting may help.' : ' Reconnecting with the same parameters will not help.';
    }
    return text;
  }

  function connect() {
    if (state.ws) state.ws.close(1000, 'reconnecting from the console');
    const type = $('connection-type').value;
    const params = new URLSearchParams({ connection_type: type });
    const token = $('token').value.trim();
    const room = $('room').value.trim();
    if (token) params.set('token', token);
    if (room) params.set('room', room);
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const address = state.spec?.websocket?.address ?? '/ws';
    // The log shows the URL without the token, as the server's own logs do.
    const shown = [...params].map(([key, value]) => `${key}=${key === 'token' ? '…' : value}`);
    logEvent('connecting', `Connecting to ${address}?${shown.join('&')}`);
    setStatus('connecting', 'Connecting…');
    $('close-info').hidden = true;
    state.connectionId = null;
    $('connection-id').textContent = 'none';

    const ws = new WebSocket(`${scheme}://${location.host}${address}?${params}`);
    state.ws = ws;
    ws.addEventListener('open', () => {
      if (state.ws !== ws) return;
      setStatus('open', `Connected (${type}${room ? `, room ${room}` : ''})`);
      logEvent('open', 'Connected');
    });
    ws.addEventListener('message', (event) => {
      if (typeof event.data !== 'string') {
        logEvent('info', 'A binary frame arrived');
        return;
      }
      logFrame('in', event.data);
      if (state.ws === ws) onFrame(event.data);
    });
    ws.addEventListener('error', () => {
      if (state.ws === ws) logEvent('error', 'WebSocket error (the close event says more)');
    });
    ws.addEventListener('close', (event) => {
      const text = describeClose(event.code, event.reason);
      logEvent('close', text);
      if (state.ws !== ws) return;
      state.ws = null;
      setStatus('closed', `Closed (${event.code})`);
      const info = $('close-info');
      setProse(info, text);
      info.dataset.code = String(event.code);
      info.hidden = false;
    });
  }

  function onFrame(raw) {
    const { value } = pretty(raw);
    if (!value || typeof value !== 'object') return;
    if (state.connectionId === null && typeof value.connection_id === 'string') {
      // The first frame carrying one is the handshake's (connection_established, ...).
      state.connectionId = value.connection_id;
      $('connection-id').textContent = value.connection_id;
    }
    if (value.type === 'user_typing') showTyping(value.username ?? value.user_id);
  }

  function showTyping(who) {
    clearTimeout(state.typing.get(who));
    state.typing.set(who, setTimeout(() => {
      state.typing.delete(who);
      renderTyping();
    }, TYPING_SHOWN_MS));
    renderTyping();
  }

  function renderTyping() {
    const names = [...state.typing.keys()];
    $('typing').textContent = names.length === 0 ? ''
      : `${names.join(', ')} ${names.length === 1 ? 'is' : 'are'} typing…`;
  }

  function send(text) {
    const problem = $('compose-error');
    problem.hidden = true;
    if (!state.ws || state.ws.readyState !== WebSocket.OPEN) {
      problem.textContent = 'Not connected.';
      problem.hidden = false;
      return;
    }
    state.ws.send(text);
    logFrame('out', text);
  }

  // ------------------------------------------------------------------ templates

  function fillConnectionTypes() {
    const select = $('connection-type');
    for (const type of state.spec?.websocket?.connection_types ?? []) {
      select.append(element('option', { value: type.name, text: type.name }));
    }
    const query = state.spec?.websocket?.query ?? {};
    setProse($('room-hint'), query.room?.description);
  }

  function fillTemplates() {
    const select = $('template');
    select.replaceChildren();
    const type = currentType();
    setProse($('connection-type-hint'), type?.description);
    for (const [m, message] of (type?.send ?? []).entries()) {
      const examples = message.examples.length ? message.examples : [{ name: '', payload: { type: message.type } }];
      for (const [e, example] of examples.entries()) {
        const suffix = examples.length > 1 ? ` (${example.name})` : '';
        select.append(element('option', {
          value: `${m}:${e}`,
          text: `${message.type}${suffix} — ${message.title}`,
          'data-type': message.type,
        }));
      }
    }
    select.value = firstTemplate(type?.send ?? []);
    fillMessage();
  }

  // The template selected first is one that works as it is and changes nothing: a read
  // (`ping`, `get_...`), else one that needs nothing the page cannot fill in (no
  // placeholder token), else the first.
  function firstTemplate(messages) {
    const fillable = (message) => (message.examples[0] ? Object.keys(message.examples[0].payload) : ['type'])
      .every((field) => ['type', 'room', 'request_id'].includes(field));
    const isRead = (message) => message.type === 'ping' || message.type.startsWith('get_');
    const index = [isRead, fillable, () => true]
      .map((test) => messages.findIndex(test))
      .find((found) => found >= 0);
    return index === undefined ? '' : `${index}:0`;
  }

  function selectedTemplate() {
    const type = currentType();
    const [m, e] = ($('template').value || '').split(':').map(Number);
    const message = type?.send[m];
    if (!message) return null;
    const example = message.examples[e] ?? { payload: { type: message.type } };
    return { message, payload: example.payload };
  }

  // Templates take the Room field's value for their `room`, so they work as they are.
  function fillMessage() {
    const chosen = selectedTemplate();
    const box = $('message');
    setProse($('template-summary'), chosen?.message.summary);
    if (!chosen) {
      box.value = '';
      return;
    }
    const payload = structuredClone(chosen.payload);
    const room = $('room').value.trim();
    if (room && payload && typeof payload === 'object' && 'room' in payload) payload.room = room;
    box.value = JSON.stringify(payload, null, 2);
    state.filledTemplate = box.value;
  }

  function submitMessage() {
    const text = $('message').value;
    const problem = $('compose-error');
    try {
      JSON.parse(text);
    } catch (error) {
      // Sent anyway would be a fine test of `invalid_json`; say so rather than refuse.
      problem.textContent = `Not valid JSON (${error.message}); sending it as it is.`;
      problem.hidden = false;
      if (state.ws?.readyState === WebSocket.OPEN) {
        state.ws.send(text);
        logFrame('out', text);
      }
      return;
    }
    send(JSON.stringify(JSON.parse(text)));
  }

  // ------------------------------------------------------------------ admin forms

  function fieldFor(id, name, schema, required, value) {
    const label = element('label', { htmlFor: id, text: required ? `${name} (required)` : name });
    const title = schema.description ?? '';
    let input;
    if (Array.isArray(schema.enum)) {
      input = element('select', { id, name, required });
      if (!required) input.append(element('option', { value: '', text: '(any)' }));
      for (const option of schema.enum) input.append(element('option', { value: option, text: option }));
      input.value = value ?? schema.default ?? (required ? schema.enum[0] : '');
    } else if (schema.type === 'integer' || schema.type === 'number') {
      input = element('input', {
        id, name, type: 'number', required, min: schema.minimum, max: schema.maximum,
        step: schema.type === 'integer' ? 1 : 'any',
      });
      input.value = value ?? '';
    } else if (schema.type === 'string' || schema.type === undefined && !schema.properties) {
      input = element('input', { id, name, type: 'text', required });
      input.value = value ?? '';
    } else {
      input = element('textarea', { id, name, rows: 2, required, placeholder: 'JSON' });
      input.value = value === undefined ? '' : JSON.stringify(value);
      input.dataset.json = 'true';
    }
    if (schema.type === 'integer' || schema.type === 'number') input.dataset.number = 'true';
    if (title) input.title = title;
    return element('div', { className: 'field' }, label, input);
  }

  function readField(input) {
    const raw = input.value.trim();
    if (raw === '') return undefined;
    if (input.dataset.number) return Number(raw);
    if (input.dataset.json) return JSON.parse(raw);
    return raw;
  }

  function renderOperation(op) {
    const base = `op-${op.operation_id}`;
    const form = element('form', { id: base, className: 'operation', autocomplete: 'off' });
    form.append(
      setProse(element('h3'), op.summary || op.operation_id),
      element('p', { className: 'endpoint' }, element('code', { text: `${op.method} ${op.path}` })),
    );
    const inputs = [];
    for (const parameter of op.parameters) {
      if (parameter.in !== 'query' && parameter.in !== 'path') continue;
      // Paging is left to its defaults: the panel shows the first page.
      if (op.method === 'GET' && (parameter.name === 'limit' || parameter.name === 'offset')) continue;
      const id = `${base}-${parameter.in}-${parameter.name}`;
      form.append(fieldFor(id, parameter.name, parameter.schema, parameter.required));
      inputs.push({ parameter, id });
    }
    const bodyFields = [];
    const schema = op.body?.schema;
    if (schema?.properties) {
      const required = new Set(schema.required ?? []);
      const example = op.body.example ?? {};
      const fieldset = element('fieldset', {}, element('legend', { text: 'Body' }));
      for (const [name, property] of Object.entries(schema.properties)) {
        const id = `${base}-body-${name}`;
        fieldset.append(fieldFor(id, name, property, required.has(name), example[name]));
        bodyFields.push({ name, id });
      }
      form.append(fieldset);
    }
    const result = element('pre', { id: `${base}-result`, className: 'result', 'aria-live': 'polite' });
    const extra = element('div', { id: `${base}-extra` });
    form.append(
      element('div', { className: 'buttons' },
        element('button', { id: `${base}-submit`, type: 'submit', text: `${op.method} ${op.path}` })),
      result,
      extra,
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      callOperation(op, inputs, bodyFields, result, extra);
    });
    return form;
  }

  async function callOperation(op, inputs, bodyFields, result, extra) {
    let path = op.path;
    const query = new URLSearchParams();
    let body;
    try {
      for (const { parameter, id } of inputs) {
        const value = readField($(id));
        if (value === undefined) continue;
        if (parameter.in === 'path') path = path.replace(`{${parameter.name}}`, encodeURIComponent(value));
        else query.append(parameter.name, String(value));
      }
      if (op.body) {
        body = {};
        for (const { name, id } of bodyFields) {
          const value = readField($(id));
          if (value !== undefined) body[name] = value;
        }
      }
    } catch (error) {
      result.textContent = `Not sent: ${error.message}`;
      return;
    }
    const headers = {};
    const token = $('admin-token').value.trim();
    if (token) headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const url = query.size ? `${path}?${query}` : path;
    result.textContent = `${op.method} ${url} …`;
    try {
      const response = await fetch(url, {
        method: op.method, headers, body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      const shown = pretty(text);
      result.textContent = `${response.status} ${response.statusText}\n${shown.text}`;
      result.dataset.status = String(response.status);
      if (op.operation_id === 'listConnections' && response.ok) renderConnections(shown.value, extra);
    } catch (error) {
      result.textContent = `Request failed: ${error.message}`;
    }
  }

  function renderConnections(list, container) {
    container.replaceChildren();
    const items = list?.items ?? [];
    if (items.length === 0) return;
    const canDisconnect = $('op-disconnectConnection-path-connection_id');
    const table = element('table', { className: 'connections' },
      element('caption', { text: `${items.length} of ${list.total} connections` }),
      element('thead', {}, element('tr', {},
        ...['Connection id', 'Type', 'User', 'Rooms', ''].map((h) => element('th', { scope: 'col', text: h })))));
    const rows = element('tbody');
    for (const item of items) {
      const button = canDisconnect ? element('button', {
        type: 'button',
        text: 'Disconnect',
        'aria-label': `Disconnect ${item.connection_id}`,
        onclick: () => {
          canDisconnect.value = item.connection_id;
          $('op-disconnectConnection').requestSubmit();
        },
      }) : null;
      rows.append(element('tr', {},
        element('td', {}, element('code', { text: item.connection_id })),
        element('td', { text: item.connection_type }),
        element('td', { text: `${item.user_id} (${item.username})` }),
        element('td', { text: (item.rooms ?? []).join(', ') }),
        element('td', {}, button)));
    }
    table.append(rows);
    container.append(table);
  }

  function renderAdmin() {
    const container = $('admin-operations');
    const operations = state.spec?.http?.operations ?? [];
    for (const id of ADMIN_OPERATIONS) {
      const op = operations.find((candidate) => candidate.operation_id === id);
      if (op) container.append(renderOperation(op));
    }
  }

  // ------------------------------------------------------------------ dev tokens

  async function devToken(query) {
    try {
      const response = await fetch(`/console/dev-token${query}`, { cache: 'no-store' });
      return response.ok ? (await response.json()).token : null;
    } catch {
      return null;
    }
  }

  async function issueDevToken() {
    const sub = $('dev-sub').value.trim();
    const name = $('dev-name').value.trim();
    const query = new URLSearchParams({ sub });
    if (name) query.set('name', name);
    const token = await devToken(`?${query}`);
    if (token) {
      $('token').value = token;
      $('token-hint').textContent = `A development token for user ${sub}${name ? ` (${name})` : ''}, valid 24 hours.`;
    } else {
      $('token-hint').textContent = `No token for user id “${sub}”.`;
    }
  }

  // Only a server in development mode (no JWT secret configured) answers these; anywhere
  // else the endpoint is a 404 and the fields stay empty.
  async function prefillDevTokens() {
    const [user, admin] = await Promise.all([devToken(''), devToken('?sub=admin&role=admin')]);
    if (user && !$('token').value) {
      $('token').value = user;
      $('token-hint').textContent = 'A development token for user 1 (Alice), valid 24 hours.';
    }
    if (admin && !$('admin-token').value) $('admin-token').value = admin;
    $('dev-mode').hidden = !(user || admin);
    $('dev-token-tools').hidden = !user;
  }

  // ------------------------------------------------------------------ start

  async function start() {
    try {
      const response = await fetch('/console/spec.json');
      state.spec = await response.json();
    } catch (error) {
      state.spec = { websocket: null, http: null, problems: [`cannot load /console/spec.json: ${error.message}`] };
    }
    if (state.spec.problems?.length) {
      $('spec-problems').textContent = `Spec problems: ${state.spec.problems.join('; ')}`;
      $('spec-problems').hidden = false;
    }
    fillConnectionTypes();
    fillTemplates();
    renderAdmin();

    $('connect-form').addEventListener('submit', (event) => {
      event.preventDefault();
      connect();
    });
    $('disconnect').addEventListener('click', () => state.ws?.close(1000, 'closed from the console'));
    $('connection-type').addEventListener('change', fillTemplates);
    $('template').addEventListener('change', fillMessage);
    $('room').addEventListener('input', () => {
      if ($('message').value === state.filledTemplate) fillMessage();
    });
    $('compose-form').addEventListener('submit', (event) => {
      event.preventDefault();
      submitMessage();
    });
    $('message').addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        $('compose-form').requestSubmit();
      }
    });
    $('clear-log').addEventListener('click', () => $('log').replaceChildren());
    $('issue-dev-token').addEventListener('click', issueDevToken);
    await prefillDevTokens();
    document.body.dataset.ready = 'true';
  }

  start();
})();
