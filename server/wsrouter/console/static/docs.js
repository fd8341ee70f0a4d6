// wsrouter API reference: both specs rendered from /console/spec.json, offline.
'use strict';

(() => {
  const $ = (id) => document.getElementById(id);

  function element(tag, attributes = {}, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attributes)) {
      if (key === 'className') node.className = value;
      else if (key === 'text') node.textContent = value;
      else node.setAttribute(key, value);
    }
    for (const child of children) if (child !== null && child !== undefined) node.append(child);
    return node;
  }

  // The specs' prose marks code with backticks; show it as code, everything else as text.
  function prose(tag, text, attributes = {}) {
    return element(tag, attributes, ...(text ?? '').split(/(`[^`]+`)/).filter(Boolean).map((part) =>
      (part.startsWith('`') && part.endsWith('`') && part.length > 2
        ? element('code', { text: part.slice(1, -1) }) : document.createTextNode(part))));
  }

  const json = (value) => element('pre', {}, element('code', { text: JSON.stringify(value, null, 2) }));

  function table(headings, rows) {
    return element('table', {},
      element('thead', {}, element('tr', {}, ...headings.map((h) => element('th', { scope: 'col', text: h })))),
      element('tbody', {}, ...rows.map((cells) => element('tr', {}, ...cells.map((c) => element('td', {}, c))))));
  }

  function schemaSummary(schema) {
    if (!schema) return '';
    if (Array.isArray(schema.enum)) return schema.enum.join(' | ');
    const type = Array.isArray(schema.type) ? schema.type.join(' | ') : schema.type ?? 'any';
    const limits = [];
    if (schema.minimum !== undefined) limits.push(`≥ ${schema.minimum}`);
    if (schema.maximum !== undefined) limits.push(`≤ ${schema.maximum}`);
    if (schema.maxLength !== undefined) limits.push(`≤ ${schema.maxLength} chars`);
    if (schema.pattern) limits.push(`/${schema.pattern}/`);
    return limits.length ? `${type} (${limits.join(', ')})` : type;
  }

  function operation(op) {
    const panel = element('article', { className: 'panel', id: `operation-${op.operation_id}` },
      element('h3', {}, element('span', { className: 'method', text: op.method }),
        element('code', { text: op.path })),
      prose('p', `${op.summary}${op.secured ? '' : ' (no token needed)'}`));
    if (op.description) panel.append(prose('p', op.description, { className: 'description' }));
    if (op.parameters.length) {
      panel.append(table(['Parameter', 'In', 'Required', 'Schema'], op.parameters.map((p) => [
        element('code', { text: p.name }), p.in, p.required ? 'yes' : 'no', schemaSummary(p.schema),
      ])));
    }
    if (op.body) {
      const details = element('details', {}, element('summary', { text: 'Request body schema' }), json(op.body.schema));
      panel.append(details);
      if (op.body.example) panel.append(element('p', { text: 'Example body:' }), json(op.body.example));
    }
    panel.append(table(['Status', 'Response'], op.responses.map((r) => [r.status, prose('span', r.description)])));
    return panel;
  }

  function messageList(title, messages) {
    const list = element('ul');
    for (const message of messages) {
      const item = element('li', {}, element('code', { text: message.type ?? message.name }),
        prose('span', ` — ${message.title}${message.summary ? `: ${message.summary}` : ''}`));
      for (const example of message.examples) {
        item.append(element('details', {}, element('summary', { text: `Example ${example.name}` }),
          json(example.payload)));
      }
      list.append(item);
    }
    return element('div', {}, element('h4', { text: title }), list);
  }

  async function start() {
    const spec = await (await fetch('/console/spec.json')).json();
    if (spec.problems?.length) {
      $('spec-problems').textContent = `Spec problems: ${spec.problems.join('; ')}`;
      $('spec-problems').hidden = false;
    }
    if (spec.http) {
      $('http-description').replaceWith(prose('p', spec.http.description, { className: 'description', id: 'http-description' }));
      $('operations').append(...spec.http.operations.map(operation));
    }
    if (spec.websocket) {
      for (const type of spec.websocket.connection_types) {
        $('connection-types').append(element('article', { className: 'panel', id: `type-${type.name}` },
          element('h3', {}, element('code', { text: type.name }), prose('span', ` — ${type.description}`)),
          messageList('The client sends', type.send),
          messageList('The server sends', type.receive)));
      }
      $('close-code-table').tBodies[0].append(...spec.websocket.close_codes.map((c) => element('tr', {},
        element('td', { text: String(c.code) }), element('td', {}, element('code', { text: c.name })),
        element('td', { text: c.retry ? 'may retry' : 'do not retry' }), prose('td', c.description))));
    }
    document.body.dataset.ready = 'true';
  }

  start();
})();
