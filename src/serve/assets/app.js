// The what-if page. Every number shown comes from the server's JSON (plan.json's
// schema); the page only arranges it. Data is put in with textContent, never as HTML.
'use strict';

const KNOBS = [
  { key: 'demand_change', label: 'Demand change 需求变化', min: -0.8, max: 0.5, step: 0.05, pct: true },
  { key: 'online_adoption', label: 'Online adoption 网办率', min: 0, max: 1, step: 0.05, pct: true },
  { key: 'self_service_share', label: 'Self-service share 自助终端', min: 0, max: 1, step: 0.05, pct: true },
  { key: 'wait_floor_min', label: 'Wait floor, min 等待下限', min: 0, max: 20, step: 0.5 },
  { key: 'max_mean_wait_min', label: 'Wait cap, min 等待上限', min: 1, max: 30, step: 0.5, optional: true },
  { key: 'peak_factor', label: 'Peak factor 高峰倍数', min: 1, max: 4, step: 0.1 },
  { key: 'max_utilisation', label: 'Max utilisation 最高利用率', min: 0.5, max: 0.99, step: 0.01, pct: true },
  { key: 'opening_hours', label: 'Opening hours 开放时间', text: true, placeholder: 'from tickets, e.g. 09:00-12:00, 13:30-17:00' },
  { key: 'open_days_per_week', label: 'Open days per week (0 = from tickets)', min: 0, max: 7, step: 1, number: true },
  { key: 'allow_online', label: 'Online channel 网上办', bool: true },
  { key: 'allow_joint', label: 'Joint windows 综合窗口', bool: true },
  { key: 'allow_backoffice', label: 'Back office 后台审批', bool: true },
  { key: 'allow_growth', label: 'More windows than today', bool: true },
  { key: 'allow_hiring', label: 'Hiring 增加人员', bool: true },
];
const ACTIONS = { keep: 'keep 保留', cut: 'cut 撤并', fallback: 'fallback 兜底', joint: 'joint 综合' };
const REASONS = { online: 'matters go online', 'back-office': 'work moves to the back office', surplus: 'surplus capacity' };

const S = {
  hall: null,
  active: 'A',
  scen: { A: blank(), B: blank() },
  result: { A: null, B: null },
  frontier: null,
  seq: 0,
  timer: null,
};
window.hallplan = S; // the browser test reads the last answers from here

function blank() { return { set: {}, locked: [], budget: null }; }
const $ = (s) => document.querySelector(s);
function el(tag, props, ...kids) {
  const e = document.createElement(tag);
  Object.assign(e, props || {});
  for (const k of kids) e.append(k instanceof Node ? k : document.createTextNode(k == null ? '' : String(k)));
  return e;
}
const f1 = (v) => (v == null || !isFinite(v) ? '–' : Number(v).toFixed(1));
const f0 = (v) => (v == null || !isFinite(v) ? '–' : Math.round(v).toLocaleString('en'));

function body(name) {
  const s = S.scen[name];
  const b = { set: s.set, locked: s.locked };
  if (s.budget != null) b.max_windows = s.budget;
  return JSON.stringify(b);
}

async function api(path, init) {
  const r = await fetch(path, init);
  const text = await r.text();
  let data = null;
  try { data = JSON.parse(text); } catch (e) { data = { error: text }; }
  return { ok: r.ok, status: r.status, data, text };
}

// ---- controls ----
function knobValue(k) {
  const s = S.scen[S.active].set;
  return k.key in s ? s[k.key] : S.hall.policy[k.key];
}

function buildKnobs() {
  const box = $('#knobs');
  for (const k of KNOBS) {
    const wrap = el('div', { className: 'knob' });
    const out = el('output', { id: 'out-' + k.key });
    let input;
    if (k.bool) {
      input = el('input', { type: 'checkbox', id: 'knob-' + k.key });
      wrap.append(el('label', { className: 'check' }, input, k.label));
      input.addEventListener('change', () => setKnob(k, input.checked));
    } else if (k.text) {
      input = el('input', { type: 'text', id: 'knob-' + k.key, placeholder: k.placeholder });
      wrap.append(el('label', {}, k.label), input);
      input.addEventListener('change', () => setKnob(k, input.value.trim()));
    } else {
      input = el('input', { type: k.number ? 'number' : 'range', id: 'knob-' + k.key, min: k.min, max: k.max, step: k.step });
      const head = el('label', {}, k.label, out);
      if (k.optional) {
        const on = el('input', { type: 'checkbox', id: 'on-' + k.key, title: 'set a cap' });
        head.prepend(on);
        on.addEventListener('change', () => setKnob(k, on.checked ? Number(input.value) : undefined));
      }
      wrap.append(head, input);
      input.addEventListener('input', () => {
        if (k.optional) $('#on-' + k.key).checked = true;
        setKnob(k, Number(input.value));
      });
    }
    box.append(wrap);
  }
}

function showKnobs() {
  for (const k of KNOBS) {
    const v = knobValue(k);
    const input = $('#knob-' + k.key);
    if (k.bool) input.checked = !!v;
    else if (k.text) input.value = v || '';
    else {
      if (k.optional) $('#on-' + k.key).checked = v != null;
      input.value = v == null ? 10 : v;
      $('#out-' + k.key).textContent = v == null ? 'none' : k.pct ? (v > 0 && k.key === 'demand_change' ? '+' : '') + Math.round(v * 100) + ' %' : String(v);
    }
  }
  const s = S.scen[S.active];
  const today = S.hall.windows.length;
  const b = $('#budget');
  b.max = today;
  b.value = s.budget != null ? s.budget : (S.result[S.active] && S.result[S.active].plan ? S.result[S.active].plan.windows_after : today);
  $('#budget-on').checked = s.budget != null;
  $('#budget-out').textContent = b.value;
  for (const n of ['A', 'B']) $('#tab-' + n).classList.toggle('active', n === S.active);
}

function setKnob(k, v) {
  const s = S.scen[S.active].set;
  if (v === undefined || v === S.hall.policy[k.key]) delete s[k.key];
  else s[k.key] = v;
  showKnobs();
  schedule(true);
}

function wireControls() {
  $('#budget').addEventListener('input', () => {
    S.scen[S.active].budget = Number($('#budget').value);
    showKnobs();
    schedule(false);
  });
  $('#budget-on').addEventListener('change', () => {
    S.scen[S.active].budget = $('#budget-on').checked ? Number($('#budget').value) : null;
    showKnobs();
    schedule(false);
  });
  for (const n of ['A', 'B']) {
    $('#tab-' + n).addEventListener('click', () => { S.active = n; showKnobs(); render(); schedule(true); });
  }
  $('#copy-ab').addEventListener('click', () => {
    S.scen.B = JSON.parse(JSON.stringify(S.scen.A));
    S.active = 'B';
    showKnobs();
    schedule(true);
  });
  $('#reset').addEventListener('click', () => { S.scen[S.active] = blank(); showKnobs(); schedule(true); });
  for (const b of document.querySelectorAll('button.dl')) b.addEventListener('click', () => download(b.dataset.file));
}

// ---- talking to the server ----
function schedule(frontierToo) {
  clearTimeout(S.timer);
  S.timer = setTimeout(() => update(S.active, frontierToo), 120);
}

async function update(name, frontierToo) {
  const seq = ++S.seq;
  const started = performance.now();
  $('#status').textContent = 'planning scenario ' + name + '…';
  const b = body(name);
  const plan = await api('/api/plan', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: b });
  let replay = null;
  if (plan.ok) {
    const r = await api('/api/replay', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: b });
    if (r.ok) replay = r.data;
  }
  const last = S.result[name] && (S.result[name].plan || S.result[name].stale);
  S.result[name] = plan.ok ? { plan: plan.data, replay } : { error: plan.data.error, field: plan.data.field, status: plan.status, stale: last, staleReplay: S.result[name] && S.result[name].replay };
  if (seq === S.seq) {
    $('#status').textContent = 'scenario ' + name + ' answered in ' + Math.round(performance.now() - started) + ' ms';
    render();
  }
  if (frontierToo) updateFrontier(name);
}

async function updateFrontier(name) {
  const s = S.scen[name];
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(s.set)) q.set(k, Array.isArray(v) ? v.join(',') : String(v));
  const locked = (S.hall.policy.locked_windows || []).concat(s.locked);
  if (locked.length) q.set('locked_windows', locked.join(','));
  const r = await api('/api/frontier?' + q.toString());
  S.frontier = r.ok ? { name, data: r.data } : { name, error: r.data.error };
  renderFrontier();
}

async function download(file) {
  $('#status').textContent = 'preparing ' + file + '…';
  const r = await fetch('/api/files/' + file, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: body(S.active) });
  if (!r.ok) { $('#status').textContent = file + ': ' + (await r.text()); return; }
  const url = URL.createObjectURL(await r.blob());
  const a = el('a', { href: url, download: file });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
  $('#status').textContent = file + ' downloaded (scenario ' + S.active + ')';
}

// ---- rendering ----
function toggleLock(id) {
  const s = S.scen[S.active];
  const i = s.locked.indexOf(id);
  if (i >= 0) s.locked.splice(i, 1); else s.locked.push(id);
  render();
  schedule(true);
}

function render() {
  const res = S.result[S.active];
  // After an error the last plan stays on screen, under the message that says so.
  const plan = res && (res.plan || res.stale);
  // With the budget off, its slider shows the plan's own count (the place to start).
  if (S.scen[S.active].budget == null && plan) {
    $('#budget').value = plan.windows_after;
    $('#budget-out').textContent = String(plan.windows_after);
  }
  renderMessage(res);
  renderHeadline(plan);
  renderGrid(plan);
  renderDepartments(plan, res && (res.plan ? res.replay : res.staleReplay));
  renderStaff(plan);
  renderActions(plan);
  renderCompare();
  renderFrontier();
}

function renderMessage(res) {
  const m = $('#message');
  m.replaceChildren();
  m.className = '';
  if (!res || !res.error) { m.hidden = true; return; }
  m.hidden = false;
  if (res.status === 422) {
    m.append(el('h2', {}, 'No plan meets every target in scenario ' + S.active + ' 此情景无可行方案'),
      el('p', {}, res.error),
      el('p', { className: 'hint' }, 'Raise the window budget, allow more channels, or set a higher wait cap. The tables below still show the last plan that was found, not this scenario.'));
  } else {
    m.className = 'warn';
    m.append(el('h2', {}, (res.status === 400 ? 'This setting is not accepted' : 'The server could not answer') + (res.field ? ' (' + res.field + ')' : '')), el('p', {}, res.error));
  }
}

function renderHeadline(plan) {
  const h = $('#headline');
  h.replaceChildren();
  if (!plan) return;
  const waiting = plan.waiting_person_min_per_day;
  h.append(
    el('div', {}, el('div', { className: 'hint' }, 'windows 窗口'), el('span', { className: 'big', id: 'windows-after' }, plan.windows_before + ' → ' + plan.windows_after)),
    el('div', {}, el('div', { className: 'hint' }, 'staff at windows 窗口人员'), el('span', { className: 'big' }, plan.staff.today + ' → ' + plan.staff.at_windows)),
    el('div', {}, el('div', { className: 'hint' }, 'waiting, person-min/day (model)'), el('span', { className: 'big' }, f0(waiting))),
    el('div', {}, el('div', { className: 'hint' }, 'objective'), el('span', {}, plan.objective)),
  );
  const ul = el('ul', {});
  for (const line of plan.summary) ul.append(el('li', {}, line));
  h.append(ul);
}

function renderGrid(plan) {
  const g = $('#grid');
  g.replaceChildren();
  const byId = {};
  if (plan) for (const w of plan.windows) byId[w.window_id] = w;
  const locked = S.scen[S.active].locked;
  const policyLocked = S.hall.policy.locked_windows || [];
  const depts = [];
  for (const w of S.hall.windows) if (!depts.includes(w.department)) depts.push(w.department);
  for (const d of depts) {
    const wins = el('div', { className: 'wins' });
    for (const w of S.hall.windows.filter((x) => x.department === d)) {
      const p = byId[w.id];
      const fixed = w.locked || policyLocked.includes(w.id);
      const isLocked = fixed || locked.includes(w.id);
      const b = el('button', { className: 'win ' + (p ? p.action : '') + (isLocked ? ' locked' : '') + (fixed ? ' fixed' : ''), type: 'button' }, w.id);
      b.dataset.window = w.id;
      b.title = w.id + ' · ' + w.department + (p ? ' · ' + (ACTIONS[p.action] || p.action) + (p.reason ? ' (' + (REASONS[p.reason] || p.reason) + ')' : '') + ' · pool ' + p.pool : '') + (fixed ? ' · locked by the inventory or scenario' : '');
      if (!fixed) b.addEventListener('click', () => toggleLock(w.id));
      wins.append(b);
    }
    g.append(el('div', { className: 'dept' }, el('span', { className: 'dept-name' }, d), wins));
  }
  const legend = $('#legend');
  legend.replaceChildren();
  for (const [k, v] of Object.entries(ACTIONS)) legend.append(el('span', {}, el('button', { className: 'win ' + k, type: 'button', disabled: true }, v)));
  legend.append(el('span', {}, el('button', { className: 'win locked', type: 'button', disabled: true }, 'locked 锁定')));
}

function cell(text, cls) { return el('td', { className: cls || '' }, text); }

function renderDepartments(plan, replay) {
  const t = $('#departments');
  t.replaceChildren();
  const head = el('tr', {});
  for (const [h, sub] of [['Department 部门', ''], ['Windows', 'today → plan'], ['Today', 'observed'], ['Today', 'model'], ['Target', 'mean wait'], ['After', 'model'], ['After', 'replay'], ['Meets target?', 'replay, else model']]) {
    head.append(el('th', { className: h.startsWith('Department') ? 'text' : '' }, h, el('br'), el('small', {}, sub)));
  }
  t.append(head);
  const today = {};
  for (const d of S.hall.departments) today[d.department] = d;
  const depts = plan ? plan.departments : S.hall.departments.map((d) => ({ department: d.department, windows_before: d.windows }));
  for (const d of depts) {
    const after = replay && replay[d.department] != null ? replay[d.department] : null;
    const judged = after != null ? after : d.after_mean_min;
    const ok = judged == null || d.target_mean_min == null ? null : judged <= d.target_mean_min + 1e-9;
    const tr = el('tr', {});
    tr.dataset.department = d.department;
    tr.append(
      cell(d.department, 'text'),
      cell(d.windows_before + ' → ' + (d.windows_after == null ? '–' : d.windows_after)),
      cell(f1(d.observed_mean_min)),
      cell(f1(d.before_mean_min)),
      cell(f1(d.target_mean_min)),
      cell(f1(d.after_mean_min)),
      cell(f1(after)),
      cell(ok == null ? '–' : ok ? 'yes 达标' : 'no 超标', ok == null ? '' : ok ? 'good' : 'bad'),
    );
    t.append(tr);
  }
}

function renderStaff(plan) {
  const t = $('#staff');
  t.replaceChildren();
  if (!plan) return;
  const s = plan.staff;
  for (const [k, v] of [['today 现有', s.today], ['at windows 窗口', s.at_windows], ['online-service helpers 帮办', s.helpers], ['back office 后台', s.backoffice], ['released 释放', s.released]]) {
    t.append(el('tr', {}, cell(k, 'text'), cell(v)));
  }
}

function renderActions(plan) {
  const t = $('#actions');
  t.replaceChildren();
  if (!plan) return;
  const changed = plan.windows.filter((w) => w.action !== 'keep');
  $('#actions-count').textContent = String(changed.length);
  const head = el('tr', {});
  for (const h of ['Window 窗口', 'Department 部门', 'Action 动作', 'Why 原因', 'Serves pool', 'Staff go to']) head.append(el('th', { className: 'text' }, h));
  t.append(head);
  for (const w of changed) {
    t.append(el('tr', {}, cell(w.window_id, 'text'), cell(w.department, 'text'), cell(ACTIONS[w.action] || w.action, 'text'),
      cell(w.reason ? REASONS[w.reason] || w.reason : '', 'text'), cell(w.pool, 'text'), cell(w.staff_destination, 'text')));
  }
}

function renderCompare() {
  const t = $('#compare');
  t.replaceChildren();
  const a = S.result.A && S.result.A.plan, b = S.result.B && S.result.B.plan;
  const head = el('tr', {}, el('th', { className: 'text' }, ''), el('th', {}, 'Scenario A'), el('th', {}, 'Scenario B'));
  t.append(head);
  const show = (r, f) => (r && r.plan ? f(r.plan) : r && r.error ? (r.status === 422 ? 'infeasible' : 'error') : 'not planned yet');
  const rows = [
    ['changed knobs', (p, n) => Object.entries(S.scen[n].set).map(([k, v]) => k + '=' + v).join(', ') || 'scenario defaults'],
    ['window budget', (p, n) => (S.scen[n].budget == null ? 'fewest windows' : '≤ ' + S.scen[n].budget)],
    ['locked windows', (p, n) => S.scen[n].locked.join(', ') || '–'],
    ['windows', (p) => p.windows_before + ' → ' + p.windows_after],
    ['waiting, person-min/day (model)', (p) => f0(p.waiting_person_min_per_day)],
    ['staff: helpers / back office / released', (p) => p.staff.helpers + ' / ' + p.staff.backoffice + ' / ' + p.staff.released],
  ];
  for (const [label, f] of rows) {
    t.append(el('tr', {}, cell(label, 'text'),
      cell(label.startsWith('changed') || label.startsWith('window budget') || label.startsWith('locked') ? f(null, 'A') : show(S.result.A, (p) => f(p, 'A'))),
      cell(label.startsWith('changed') || label.startsWith('window budget') || label.startsWith('locked') ? f(null, 'B') : show(S.result.B, (p) => f(p, 'B')))));
  }
  const depts = (a || b) ? (a || b).departments.map((d) => d.department) : [];
  for (const d of depts) {
    const w = (p, r) => {
      const x = p && p.departments.find((y) => y.department === d);
      if (!x) return '–';
      const rep = r && r.replay && r.replay[d];
      return x.windows_after + ' windows, ' + f1(rep != null ? rep : x.after_mean_min) + ' min' + (rep != null ? ' (replay)' : ' (model)');
    };
    t.append(el('tr', {}, cell(d, 'text'), cell(w(a, S.result.A)), cell(w(b, S.result.B))));
  }
}

function renderFrontier() {
  const box = $('#frontier');
  box.replaceChildren();
  const fr = S.frontier;
  if (!fr) { box.append(el('p', { className: 'hint' }, 'computing the curve…')); return; }
  if (fr.error) { box.append(el('p', { className: 'hint' }, 'No curve for this scenario: ' + fr.error)); return; }
  const pts = fr.data.points;
  if (!pts.length) return;
  const NS = 'http://www.w3.org/2000/svg';
  const W = 520, H = 300, L = 70, R = 16, T = 16, B = 44;
  const xs = pts.map((p) => p.windows), ys = pts.map((p) => p.waiting_person_min_per_day);
  const cur = S.result[fr.name] && S.result[fr.name].plan;
  if (cur) { xs.push(cur.windows_after); ys.push(cur.waiting_person_min_per_day); }
  const x0 = Math.min(...xs), x1 = Math.max(...xs, x0 + 1), y1 = Math.max(...ys) * 1.05 || 1;
  const X = (v) => L + ((v - x0) / (x1 - x0)) * (W - L - R), Y = (v) => T + (1 - v / y1) * (H - T - B);
  const svg = document.createElementNS(NS, 'svg');
  svg.setAttribute('viewBox', '0 0 ' + W + ' ' + H);
  svg.setAttribute('role', 'img');
  const add = (tag, attrs, text) => { const e = document.createElementNS(NS, tag); for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v); if (text != null) e.textContent = text; svg.append(e); return e; };
  add('line', { x1: L, y1: H - B, x2: W - R, y2: H - B, stroke: '#555' });
  add('line', { x1: L, y1: T, x2: L, y2: H - B, stroke: '#555' });
  for (let i = 0; i <= 4; i++) {
    const v = (y1 * i) / 4;
    add('text', { x: L - 6, y: Y(v) + 4, 'text-anchor': 'end', 'font-size': 12 }, f0(v));
    const xv = Math.round(x0 + ((x1 - x0) * i) / 4);
    add('text', { x: X(xv), y: H - B + 16, 'text-anchor': 'middle', 'font-size': 12 }, String(xv));
  }
  add('text', { x: (L + W) / 2, y: H - 6, 'text-anchor': 'middle', 'font-size': 13 }, 'windows 窗口数');
  add('text', { x: 14, y: T + (H - T - B) / 2, 'text-anchor': 'middle', 'font-size': 13, transform: 'rotate(-90 14 ' + (T + (H - T - B) / 2) + ')' }, 'waiting person-min/day');
  add('polyline', { points: pts.map((p) => X(p.windows) + ',' + Y(p.waiting_person_min_per_day)).join(' '), fill: 'none', stroke: '#1f4e8c', 'stroke-width': 2.5 });
  // A budget whose staff do not add up (the channels' helpers and back office need more
  // people than its windows release): a hollow point.
  for (const p of pts) {
    const short = p.staff_short > 0;
    add('circle', { cx: X(p.windows), cy: Y(p.waiting_person_min_per_day), r: short ? 3.5 : 2.5, fill: short ? '#fff' : '#1f4e8c', stroke: '#1f4e8c', 'stroke-width': short ? 1.5 : 0 });
  }
  if (cur) {
    add('circle', { cx: X(cur.windows_after), cy: Y(cur.waiting_person_min_per_day), r: 7, fill: '#d9480f', stroke: '#fff', 'stroke-width': 2 });
    add('text', { x: X(cur.windows_after) + 10, y: Y(cur.waiting_person_min_per_day) - 10, 'font-size': 13, fill: '#d9480f' }, 'scenario ' + fr.name + ': ' + cur.windows_after + ' windows');
  }
  const firstShort = pts.find((p) => p.staff_short > 0);
  const shortText = firstShort ? ' From ' + firstShort.max_windows + ' windows on (hollow points) these channels need more helpers and back-office staff than the windows release: other channels or hires. 从 ' + firstShort.max_windows + ' 个窗口起（空心点）人员不足。' : '';
  box.append(svg, el('p', { className: 'hint' }, 'Least waiting for each window budget with scenario ' + fr.name + '\'s channels (fewest: ' + fr.data.fewest_windows + ', today: ' + fr.data.windows_today + ').' + shortText));
}

async function start() {
  const h = await api('/api/hall');
  if (!h.ok) { $('#status').textContent = 'cannot load the hall: ' + h.data.error; return; }
  S.hall = h.data;
  $('#hall-name').textContent = S.hall.hall + ' · ' + S.hall.windows.length + ' windows · ' + S.hall.departments.length + ' departments';
  buildKnobs();
  wireControls();
  showKnobs();
  render();
  await update('A', true);
  S.ready = true;
}
document.addEventListener('DOMContentLoaded', start);
