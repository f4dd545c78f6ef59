// The relreason dashboard: a snapshot and then live events over one server-sent event stream.
'use strict';

const token = new URLSearchParams(location.search).get('token');
const withToken = (path) =>
  token ? path + (path.includes('?') ? '&' : '?') + 'token=' + encodeURIComponent(token) : path;

const PHASES = ['plan', 'compute', 'fan_in', 'aggregate', 'optimizer', 'broadcast'];
const PHASE_COLOURS = ['#8dd3c7', '#80b1d3', '#fdb462', '#bebada', '#fb8072', '#b3de69'];
const MAX_PHASE_BARS = 200;

function lineChart(id, datasets, yOptions) {
  return new Chart(document.getElementById(id), {
    type: 'line',
    data: { labels: [], datasets: datasets.map(([label, colour]) => ({
      label, data: [], borderColor: colour, pointRadius: 0, borderWidth: 1.5 })) },
    options: { animation: false, responsive: true, parsing: false, normalized: true,
      scales: { x: { type: 'linear', title: { display: true, text: 'step' } }, y: yOptions || {} } },
  });
}

const charts = {
  loss: lineChart('loss', [['loss', '#d62728']]),
  accuracy: lineChart('accuracy', [['positive pairs', '#2ca02c'], ['negative pairs', '#1f77b4']],
    { min: 0, max: 1 }),
  throughput: lineChart('throughput', [['views/s', '#9467bd']], { beginAtZero: true }),
  probe: lineChart('probe', [['kNN top-1', '#ff7f0e']], { min: 0, max: 1 }),
  phases: new Chart(document.getElementById('phases'), {
    type: 'bar',
    data: { labels: [], datasets: PHASES.map((p, i) => ({ label: p, data: [],
      backgroundColor: PHASE_COLOURS[i] })) },
    options: { animation: false, responsive: true,
      scales: { x: { stacked: true, title: { display: true, text: 'step' } }, y: { stacked: true } } },
  }),
  evals: new Chart(document.getElementById('evalchart'), {
    type: 'bar',
    data: { labels: [], datasets: [{ label: 'top-1', data: [], backgroundColor: [] }] },
    options: { animation: false, responsive: true, indexAxis: 'y', scales: { x: { min: 0, max: 1 } } },
  }),
};

let points = 0;
let probePoints = 0;

function addProbe(p) {
  probePoints++;
  const d = charts.probe.data.datasets[0];
  d.data.push({ x: p.step, y: p.top1 });
  d.pointRadius = 3;
  charts.probe.update('none');
  document.getElementById('probe').dataset.points = probePoints;
}
let dirty = false;
let evals = new Map();
let paper = [];
const workers = new Map();

function addStep(s) {
  points++;
  document.getElementById('step').textContent = s.step;
  document.getElementById('total').textContent = s.total;
  charts.loss.data.datasets[0].data.push({ x: s.step, y: s.loss });
  charts.accuracy.data.datasets[0].data.push({ x: s.step, y: s.positive });
  charts.accuracy.data.datasets[1].data.push({ x: s.step, y: s.negative });
  charts.throughput.data.datasets[0].data.push({ x: s.step, y: s.viewsPerSecond });
  const ph = charts.phases.data;
  ph.labels.push(s.step);
  PHASES.forEach((p, i) => ph.datasets[i].data.push(s.phases[p] || 0));
  if (ph.labels.length > MAX_PHASE_BARS) {
    ph.labels.shift();
    ph.datasets.forEach((d) => d.data.shift());
  }
  dirty = true;
}

// Redraw at most four times a second, whatever the step rate.
setInterval(() => {
  if (!dirty) return;
  dirty = false;
  for (const id of ['loss', 'accuracy', 'throughput', 'phases']) {
    charts[id].update('none');
    document.getElementById(id).dataset.points = points;
  }
}, 250);

function cell(row, text) {
  const td = document.createElement('td');
  td.textContent = text;
  row.appendChild(td);
}

function renderWorkers() {
  const body = document.querySelector('#workers tbody');
  body.replaceChildren();
  for (const w of [...workers.values()].sort((a, b) => a.id.localeCompare(b.id))) {
    const tr = document.createElement('tr');
    tr.dataset.worker = w.id;
    cell(tr, w.id);
    cell(tr, w.host);
    cell(tr, `${w.backend} / ${w.device}`);
    cell(tr, w.state);
    cell(tr, w.lastStep);
    cell(tr, Number(w.viewsPerSecond).toFixed(1));
    cell(tr, w.lastHeartbeat ? new Date(w.lastHeartbeat).toLocaleTimeString() : '');
    body.appendChild(tr);
  }
  document.getElementById('no-workers').style.display = workers.size ? 'none' : '';
}

function renderEvals() {
  const body = document.querySelector('#evals tbody');
  body.replaceChildren();
  const labels = [];
  const values = [];
  const colours = [];
  for (const e of evals.values()) {
    const tr = document.createElement('tr');
    cell(tr, e.protocol);
    cell(tr, e.dataset);
    cell(tr, Number(e.top1).toFixed(4));
    body.appendChild(tr);
    labels.push(`${e.protocol} (this run)`);
    values.push(e.top1);
    colours.push(e.protocol.startsWith('random') ? '#aaa' : '#1f77b4');
  }
  for (const p of paper) {
    labels.push(`${p.method}, ${p.backbone} (paper)`);
    values.push(p.top1);
    colours.push('#ff7f0e');
  }
  const d = charts.evals.data;
  d.labels = labels;
  d.datasets[0].data = values;
  d.datasets[0].backgroundColor = colours;
  charts.evals.update('none');
  document.getElementById('evalchart').dataset.points = values.length;
}

function renderConfig(config) {
  const body = document.querySelector('#config tbody');
  body.replaceChildren();
  for (const [k, v] of Object.entries(config)) {
    const tr = document.createElement('tr');
    cell(tr, k);
    cell(tr, v);
    body.appendChild(tr);
  }
}

function setRun(run) {
  document.getElementById('run').textContent = run;
}

function snapshot(s) {
  points = 0;
  for (const c of [charts.loss, charts.accuracy, charts.throughput]) {
    c.data.datasets.forEach((d) => (d.data = []));
  }
  charts.phases.data.labels = [];
  charts.phases.data.datasets.forEach((d) => (d.data = []));
  s.steps.forEach(addStep);
  probePoints = 0;
  charts.probe.data.datasets[0].data = [];
  (s.probes || []).forEach(addProbe);
  workers.clear();
  s.workers.forEach((w) => workers.set(w.id, w));
  evals = new Map(s.evals.map((e) => [`${e.protocol}/${e.dataset}`, e]));
  document.getElementById('mode').textContent = s.mode;
  setRun(s.run);
  renderConfig(s.config);
  renderWorkers();
  renderEvals();
  dirty = true;
}

function connect() {
  const es = new EventSource(withToken('/api/events'));
  const conn = document.getElementById('conn');
  es.onopen = () => { conn.textContent = 'live'; conn.className = 'good'; };
  es.onerror = () => { conn.textContent = 'reconnecting'; conn.className = 'bad'; };
  es.addEventListener('snapshot', (e) => snapshot(JSON.parse(e.data)));
  es.addEventListener('step', (e) => addStep(JSON.parse(e.data)));
  es.addEventListener('probe', (e) => addProbe(JSON.parse(e.data)));
  es.addEventListener('worker', (e) => {
    const w = JSON.parse(e.data).worker;
    workers.set(w.id, w);
    renderWorkers();
  });
  es.addEventListener('eval', (e) => {
    const v = JSON.parse(e.data);
    evals.set(`${v.protocol}/${v.dataset}`, v);
    renderEvals();
    retrieve();
  });
  es.addEventListener('run', (e) => setRun(JSON.parse(e.data).run));
}

async function loadPaper() {
  const r = await fetch(withToken('/api/paper'));
  if (!r.ok) return;
  const p = await r.json();
  paper = p.entries;
  document.getElementById('paper-note').textContent =
    `Paper reference: ${p.source}. ` + (p.entries.length ? '' : p.note);
  renderEvals();
}

let retrieving = false;
async function retrieve() {
  if (retrieving) return;
  retrieving = true;
  const box = document.getElementById('retrieval');
  try {
    const r = await fetch(withToken('/api/retrieval?queries=4&k=6'));
    if (!r.ok) {
      box.textContent = await r.text();
      return;
    }
    const res = await r.json();
    box.replaceChildren();
    for (const q of res.queries) {
      const row = document.createElement('div');
      row.className = 'row';
      row.appendChild(figure(q.image, `query #${q.index}, class ${q.label}`, 'query'));
      for (const n of q.neighbours) {
        row.appendChild(figure(n.image, `#${n.index} c${n.label} ${n.similarity.toFixed(3)}`,
          n.label === q.label ? 'same' : ''));
      }
      box.appendChild(row);
    }
  } catch (e) {
    box.textContent = String(e);
  } finally {
    retrieving = false;
  }
}

function figure(src, caption, cls) {
  const f = document.createElement('figure');
  const img = document.createElement('img');
  img.src = src;
  img.className = cls;
  f.appendChild(img);
  const c = document.createElement('figcaption');
  c.textContent = caption;
  f.appendChild(c);
  return f;
}

document.getElementById('retrieve').addEventListener('click', retrieve);
connect();
loadPaper();
// the backbone changes as training goes: refresh the neighbours now and then
setTimeout(retrieve, 3000);
setInterval(retrieve, 60000);
