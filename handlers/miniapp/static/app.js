/* annobot Mini App: boxes and points on an image, or labelled spans in a text.
   Plain ES2019, no framework, no build step. Reads the assignment (?a=) and Telegram's
   initData (Telegram.WebApp or the #tgWebAppData fragment), loads GET /api/task, keeps the work
   in localStorage until POST /api/answer is acknowledged. Every visible text comes from the
   task's `strings` (handlers/miniapp/strings.py). */
(function () {
  'use strict';
  var W = window, D = document, root = D.documentElement;
  var PALETTE = ['#e6194b', '#3cb44b', '#4363d8', '#f58231', '#911eb4', '#0e9aa7', '#f032e6',
    '#9a6324', '#808000', '#000075'];
  // shown before the task (and its strings) could be loaded at all
  var FALLBACK = {loading: '…', load_failed: '⚠', retry: '↻'};
  var ICONS = {
    undo: 'M9 14 4 9l5-5M4 9h10a6 6 0 0 1 0 12h-3',
    box: 'M4 6h16v12H4z',
    point: 'M12 9a3 3 0 1 0 0 6 3 3 0 1 0 0-6',
    pan: 'M12 3v18M3 12h18M9 6l3-3 3 3M9 18l3 3 3-3M6 9l-3 3 3 3M18 9l3 3-3 3',
    fit: 'M4 9V4h5M20 9V4h-5M4 15v5h5M20 15v5h-5',
    del: 'M5 7h14M10 7V4h4v3M7 7l1 13h8l1-13'
  };
  var SLOP = 8, HANDLE = 20, MIN_BOX = 8;

  var tg = W.Telegram && W.Telegram.WebApp;
  var frag = new URLSearchParams(location.hash.slice(1));
  var A = new URLSearchParams(location.search).get('a') || '';
  var INIT = (tg && tg.initData) || frag.get('tgWebAppData') || '';
  var BASE = location.origin + location.pathname.replace(/\/app(\/.*)?$/, '');
  var KEY = 'annobot:draft:' + A;
  if (/\bLOW\)?\s*$/.test(navigator.userAgent)) root.className += ' low';

  var S = {}, task = null, kind = '', classes = [], cur = 0, undo = [];
  var sending = false, pending = null, done = false, armed = 0;
  var app = D.getElementById('app'), els = {};

  function t(key, params) {
    var s = S[key] || FALLBACK[key] || key;
    return params ? s.replace(/\{(\w+)\}/g, function (m, n) {
      return n in params ? String(params[n]) : m;
    }) : s;
  }
  function h(tag, cls, text) {
    var e = D.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }
  function esc(s) {
    return String(s).replace(/[&<>"]/g, function (c) {
      return {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;'}[c];
    });
  }
  function icon(name) {
    return '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="' + ICONS[name] + '"/></svg>';
  }
  function button(cls, name, key, onTap) {
    var b = h('button', cls);
    b.type = 'button';
    b.innerHTML = (name ? icon(name) : '') + '<span>' + esc(t(key)) + '</span>';
    b.addEventListener('click', onTap);
    return b;
  }
  function color(c) { return PALETTE[Math.max(0, classes.indexOf(c)) % PALETTE.length]; }
  function cl(v) { return v < 0 ? 0 : v > 1 ? 1 : v; }
  function r4(v) { return Math.round(cl(v) * 1e4) / 1e4; }
  function cmp(a, b) {
    for (var i = 0; i < a.length; i++) {
      if (a[i] < b[i]) return -1;
      if (a[i] > b[i]) return 1;
    }
    return 0;
  }

  /* ---- Telegram and theme ---- */
  function post(type, data) {
    var px = W.TelegramWebviewProxy;
    if (px && px.postEvent) px.postEvent(type, data ? JSON.stringify(data) : '');
    else if (W.parent !== W) {
      W.parent.postMessage(JSON.stringify({eventType: type, eventData: data || ''}), '*');
    }
  }
  function close() {
    if (tg && tg.close) return tg.close();
    var px = W.TelegramWebviewProxy;
    if (px && px.postEvent) return px.postEvent('web_app_close', '');
    W.parent.postMessage(JSON.stringify({eventType: 'web_app_close', eventData: ''}), '*');
  }
  function theme() {
    var p = tg && tg.themeParams;
    try {
      if (!p || !Object.keys(p).length) p = JSON.parse(frag.get('tgWebAppThemeParams') || '{}');
    } catch (e) { return; }
    var vars = {bg_color: 'bg', text_color: 'fg', hint_color: 'hint', link_color: 'link',
      button_color: 'btn', button_text_color: 'btn-fg', secondary_bg_color: 'bg2'};
    Object.keys(vars).forEach(function (k) {
      if (/^#[0-9a-f]{3,8}$/i.test(p[k] || '')) root.style.setProperty('--' + vars[k], p[k]);
    });
  }

  /* ---- HTTP ---- */
  function api(method, path, body) {
    var opt = {method: method, headers: {Authorization: 'tma ' + INIT}};
    if (body) {
      opt.headers['Content-Type'] = 'application/json';
      opt.body = JSON.stringify(body);
    }
    return fetch(BASE + path, opt).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (j) {
        if (r.ok && j.ok !== false) return j;
        var e = new Error(j.message || '');
        e.status = r.status;
        throw e;
      });
    });
  }

  /* ---- the page ---- */
  function notice(text, retry) {
    app.innerHTML = '';
    var p = h('div', 'center');
    p.appendChild(h('p', '', text));
    if (retry) p.appendChild(button('act', '', 'retry', retry));
    app.appendChild(p);
  }
  function open() {
    notice(t('loading'));
    api('GET', '/api/task?a=' + encodeURIComponent(A)).then(function (j) {
      task = j;
      S = j.strings || {};
      build();
    }, function (e) {
      notice(e.status && e.message || t('load_failed'), open);
    });
  }

  function build() {
    kind = task.kind;
    classes = task.classes || [];
    if (task.lang) root.lang = task.lang;
    app.innerHTML = '';
    if (task.question) app.appendChild(h('div', 'q', task.question));
    var tools = h('div', 'bar tools');
    els.undo = button('tool', 'undo', 'undo', doUndo);
    tools.appendChild(els.undo);
    if (kind === 'spans') buildSpans(tools); else buildBoxes(tools);
    app.appendChild(tools);
    if (kind === 'spans') {
      els.hint = h('div', 'hint');
      app.appendChild(els.hint);
    }
    var chips = h('div', 'bar chips');
    els.chips = classes.map(function (c, i) {
      var b = h('button', 'chip');
      b.type = 'button';
      b.innerHTML = '<i style="background:' + color(c) + '"></i>' + esc(c);
      b.addEventListener('click', function () { chip(i); });
      chips.appendChild(b);
      return b;
    });
    app.appendChild(chips);
    var acts = h('div', 'bar acts');
    if (task.nothing) {
      els.nothing = button('act', '', 'nothing', tapNothing);
      acts.appendChild(els.nothing);
    }
    els.submit = button('act primary', '', 'submit', function () { submit(false); });
    els.submit.id = 'submit';
    acts.appendChild(els.submit);
    app.appendChild(acts);
    els.err = h('div', 'err');
    els.err.setAttribute('role', 'alert');
    els.err.addEventListener('click', function () {
      if (pending) submit(pending === 'nothing'); else els.err.className = 'err';  // read: hide
    });
    app.appendChild(els.err);
    els.toast = h('div', 'toast');
    els.toast.setAttribute('aria-live', 'polite');
    app.appendChild(els.toast);
    restore();
    if (kind !== 'spans') { fit(); loadImage(); }
    render();
  }

  function toast(text) {
    els.toast.textContent = text;
    els.toast.className = 'toast on';
    clearTimeout(toast.timer);
    toast.timer = setTimeout(function () { els.toast.className = 'toast'; }, 2600);
  }
  function error(text, retry) {
    els.err.innerHTML = '';
    els.err.appendChild(h('span', '', text));
    if (retry) els.err.appendChild(h('b', '', t('retry')));
    els.err.className = 'err on';
  }

  /* ---- state, undo, draft ---- */
  var M = {b: [], p: []}, sel = null;          // boxes and points; the selected mark
  var sp = [], wsel = null, ssel = null;        // spans; the selected words; the selected span
  function state() { return JSON.stringify(kind === 'spans' ? sp : M); }
  function setState(s) {
    if (kind === 'spans') sp = JSON.parse(s); else M = JSON.parse(s);
    sel = null; ssel = null; wsel = null;
  }
  function value() {
    if (kind === 'spans') {
      return {spans: sp.map(function (x) { return [x.s, x.e, x.c]; }).sort(cmp)};
    }
    return {
      boxes: M.b.map(function (b) {
        var x = r4(b.x), y = r4(b.y);
        return [b.c, x, y, r4(r4(b.x + b.w) - x), r4(r4(b.y + b.h) - y)];
      }).sort(cmp),
      points: M.p.map(function (p) { return [p.c, r4(p.x), r4(p.y)]; }).sort(cmp)
    };
  }
  function empty(v) {
    return kind === 'spans' ? !v.spans.length : !v.boxes.length && !v.points.length;
  }
  function save() {
    try { localStorage.setItem(KEY, JSON.stringify(value())); } catch (e) { /* full: ignore */ }
  }
  function commit(before) {
    if (state() === before) return;
    undo.push(before);
    if (undo.length > 200) undo.shift();
    save();
  }
  function known(c) { return classes.indexOf(c) >= 0; }
  function fin() {
    for (var i = 0; i < arguments.length; i++) if (typeof arguments[i] !== 'number' || !isFinite(arguments[i])) return false;
    return true;
  }
  function load(v) {
    if (!v || typeof v !== 'object') return;
    if (kind === 'spans') {
      sp = (v.spans || []).filter(function (a) {
        return fin(a[0], a[1]) && a[0] < a[1] && a[1] <= cps.length && known(a[2]);
      }).map(function (a) { return {s: a[0], e: a[1], c: a[2]}; });
    } else {
      M.b = (v.boxes || []).filter(function (a) { return known(a[0]) && fin(a[1], a[2], a[3], a[4]); })
        .map(function (a) { return {c: a[0], x: a[1], y: a[2], w: a[3], h: a[4]}; });
      M.p = task.points ? (v.points || []).filter(function (a) { return known(a[0]) && fin(a[1], a[2]); })
        .map(function (a) { return {c: a[0], x: a[1], y: a[2]}; }) : [];
    }
  }
  function restore() {
    var local = null;
    try { local = JSON.parse(localStorage.getItem(KEY) || 'null'); } catch (e) { local = null; }
    load(local || task.draft);
    if (local && !empty(value())) toast(t('draft_restored'));
  }
  function doUndo() {
    if (!undo.length) return;
    setState(undo.pop());
    save();
    render();
  }

  /* ---- chips, delete, submit ---- */
  function chip(i) {
    var before = state();
    cur = i;
    if (kind === 'spans') {
      if (wsel) addSpan(classes[i]);
      else if (ssel != null) sp[ssel].c = classes[i];
    } else if (sel) {
      (sel.t === 'b' ? M.b : M.p)[sel.i].c = classes[i];
    }
    commit(before);
    render();
  }
  function del() {
    var before = state();
    if (kind === 'spans') {
      if (ssel != null) sp.splice(ssel, 1);
      ssel = null;
    } else if (sel) {
      (sel.t === 'b' ? M.b : M.p).splice(sel.i, 1);
      sel = null;
    }
    commit(before);
    render();
  }
  function tapNothing() {
    if (armed) {
      clearTimeout(armed);
      armed = 0;
      els.nothing.lastChild.textContent = t('nothing');
      submit(true);
      return;
    }
    els.nothing.lastChild.textContent = t('nothing_confirm');
    els.nothing.className = 'act armed';
    armed = setTimeout(function () {
      armed = 0;
      els.nothing.className = 'act';
      els.nothing.lastChild.textContent = t('nothing');
    }, 4000);
  }
  function submit(nothing) {
    if (sending || done) return;
    var v = value();
    if (nothing) v = kind === 'spans' ? {spans: []} : {boxes: [], points: []};
    else if (empty(v)) return toast(t(task.nothing ? 'need_marks' : 'need_marks_only'));
    sending = true;
    pending = nothing ? 'nothing' : 'value';
    els.err.className = 'err';
    els.submit.className = 'act primary busy';
    els.submit.lastChild.textContent = t('sending');
    api('POST', '/api/answer', {assignment: task.assignment, answer: v}).then(function () {
      done = true;
      pending = null;
      try { localStorage.removeItem(KEY); } catch (e) { /* private mode */ }
      els.submit.lastChild.textContent = t('saved');
      toast(t('saved'));
      setTimeout(close, 800);
    }, function (e) {
      sending = false;
      els.submit.className = 'act primary';
      els.submit.lastChild.textContent = t('submit');
      var retry = !e.status || e.status >= 500 || e.status === 429;
      if (!retry) pending = null;
      error(e.status && e.message || t(navigator.onLine === false ? 'offline' : 'send_failed'), retry);
    });
  }
  W.addEventListener('online', function () {
    if (pending && !sending && !done) submit(pending === 'nothing');
  });

  function render() {
    if (render.raf) return;
    render.raf = requestAnimationFrame(function () {
      render.raf = 0;
      if (kind === 'spans') drawSpans(); else drawBoxes();
      els.undo.disabled = !undo.length;
      var on = kind === 'spans' ? (ssel != null ? classes.indexOf(sp[ssel].c) : -1)
        : sel ? classes.indexOf((sel.t === 'b' ? M.b : M.p)[sel.i].c) : cur;
      els.chips.forEach(function (b, i) { b.setAttribute('aria-pressed', String(i === on)); });
    });
  }

  /* ---- boxes and points ---- */
  var stage, gi, ov, img, IW = 1, IH = 1, V = {s: 1, x: 0, y: 0}, fitS = 1;
  var mode = 'b', panOn = false, space = false, ptrs = {}, g = null;
  function buildBoxes(tools) {
    if (task.image) { IW = task.image.width || 1; IH = task.image.height || 1; }
    stage = h('div', 'stage');
    stage.innerHTML = '<svg><g class="gi"><rect class="ph" width="' + IW + '" height="' + IH +
      '"/><image width="' + IW + '" height="' + IH + '" preserveAspectRatio="none"/></g>' +
      '<g class="ov"></g></svg>';
    gi = stage.querySelector('.gi');
    ov = stage.querySelector('.ov');
    img = stage.querySelector('image');
    els.count = h('div', 'pill');
    els.bhint = h('div', 'hint over');
    stage.appendChild(els.count);
    stage.appendChild(els.bhint);
    app.appendChild(stage);
    if (task.points) {
      els.modeB = button('tool', 'box', 'box_mode', function () { setMode('b'); });
      els.modeP = button('tool', 'point', 'point_mode', function () { setMode('p'); });
      tools.appendChild(els.modeB);
      tools.appendChild(els.modeP);
    }
    els.pan = button('tool', 'pan', 'pan', function () { panOn = !panOn; render(); });
    tools.appendChild(els.pan);
    tools.appendChild(button('tool', 'fit', 'fit', function () { fit(); render(); }));
    els.del = button('tool', 'del', 'delete', del);
    tools.appendChild(els.del);
    stage.addEventListener('pointerdown', down);
    stage.addEventListener('pointermove', move);
    stage.addEventListener('pointerup', up);
    stage.addEventListener('pointercancel', up);
    stage.addEventListener('contextmenu', function (e) { e.preventDefault(); });
    stage.addEventListener('wheel', function (e) {
      e.preventDefault();
      var p = pos(e);
      zoom(V.s * Math.exp(-e.deltaY * (e.deltaMode ? 0.05 : 0.002)), p, p, copy(V));
      render();
    }, {passive: false});
    W.addEventListener('keydown', function (e) {
      if (e.key === ' ') { space = true; e.preventDefault(); }
      else if (e.key === 'Delete' || e.key === 'Backspace') del();
      else if (e.key === 'z' && (e.ctrlKey || e.metaKey)) doUndo();
    });
    W.addEventListener('keyup', function (e) { if (e.key === ' ') space = false; });
    W.addEventListener('resize', function () { fit(); render(); });
  }
  function setMode(m) { mode = m; sel = null; render(); }
  function loadImage() {
    if (!task.image) return;
    fetch(new URL(task.image.url, BASE + '/').href, {headers: {Authorization: 'tma ' + INIT}})
      .then(function (r) {
        if (!r.ok) throw new Error(String(r.status));
        return r.blob();
      }).then(function (b) {
        img.setAttribute('href', URL.createObjectURL(b));
        stage.className = 'stage ready';
      }).catch(function () {
        error(t('image_failed'), false);
        els.err.onclick = function () { els.err.onclick = null; els.err.className = 'err'; loadImage(); };
      });
  }
  function copy(o) { return {s: o.s, x: o.x, y: o.y}; }
  function fit() {
    var r = stage.getBoundingClientRect();
    // never upscale the picture to fit: a small image stays at its own size until zoomed
    fitS = Math.min(r.width / IW, r.height / IH, 1);
    V = {s: fitS, x: (r.width - IW * fitS) / 2, y: (r.height - IH * fitS) / 2};
  }
  function zoom(s, from, to, v0) {
    s = Math.min(Math.max(s, fitS), Math.max(fitS * 10, 4));
    V = {s: s, x: to.x - (from.x - v0.x) / v0.s * s, y: to.y - (from.y - v0.y) / v0.s * s};
  }
  function pos(e) {
    var r = stage.getBoundingClientRect();
    return {x: e.clientX - r.left, y: e.clientY - r.top};
  }
  function toN(p) { return {x: (p.x - V.x) / (IW * V.s), y: (p.y - V.y) / (IH * V.s)}; }
  function scr(b) {
    return {x: V.x + b.x * IW * V.s, y: V.y + b.y * IH * V.s, w: b.w * IW * V.s, h: b.h * IH * V.s};
  }
  function dist(a, b) { return Math.sqrt((a.x - b.x) * (a.x - b.x) + (a.y - b.y) * (a.y - b.y)); }
  function inside(b, p) {
    var r = scr(b);
    return p.x >= r.x - 4 && p.x <= r.x + r.w + 4 && p.y >= r.y - 4 && p.y <= r.y + r.h + 4;
  }
  function boxAt(p) {
    var best = -1, area = Infinity;
    M.b.forEach(function (b, i) {
      if (inside(b, p) && b.w * b.h < area) { best = i; area = b.w * b.h; }
    });
    return best;
  }
  function pointAt(p) {
    var best = -1, d = HANDLE;
    M.p.forEach(function (q, i) {
      var e = dist(p, {x: V.x + q.x * IW * V.s, y: V.y + q.y * IH * V.s});
      if (e <= d) { best = i; d = e; }
    });
    return best;
  }
  function handleAt(p) {
    var r = scr(M.b[sel.i]), best = -1, d = HANDLE;
    for (var k = 0; k < 4; k++) {
      var e = Math.max(Math.abs(p.x - r.x - (k & 1 ? r.w : 0)), Math.abs(p.y - r.y - (k & 2 ? r.h : 0)));
      if (e <= d) { best = k; d = e; }
    }
    return best;
  }
  function span2(b, ax, ay, n) {
    b.x = Math.min(ax, n.x); b.y = Math.min(ay, n.y);
    b.w = Math.abs(n.x - ax); b.h = Math.abs(n.y - ay);
  }
  function fingers() { return Object.keys(ptrs).map(function (k) { return ptrs[k]; }); }

  function down(e) {
    if (e.pointerType === 'mouse' && e.button > 1) return;
    e.preventDefault();
    try { stage.setPointerCapture(e.pointerId); } catch (x) { /* already gone */ }
    var p = pos(e);
    ptrs[e.pointerId] = p;
    var f = fingers();
    if (f.length === 2) {
      if (g && g.before && state() !== g.before) setState(g.before);  // a pinch, not a draw
      g = {t: 'pinch', d0: dist(f[0], f[1]) || 1, m0: mid(f), v0: copy(V)};
      render();
      return;
    }
    if (f.length > 2) return;
    var before = state(), b;
    if (panOn || space || e.button === 1) g = {t: 'pan', p0: p, v0: copy(V)};
    else if (mode === 'b') {
      var k = sel && sel.t === 'b' ? handleAt(p) : -1;
      if (k >= 0) {
        b = M.b[sel.i];
        var n = toN(p);  // the corner keeps its distance to the finger: it does not jump
        g = {t: 'resize', i: sel.i, ax: k & 1 ? b.x : b.x + b.w, ay: k & 2 ? b.y : b.y + b.h,
          dx: (k & 1 ? b.x + b.w : b.x) - n.x, dy: (k & 2 ? b.y + b.h : b.y) - n.y};
      } else if (sel && sel.t === 'b' && inside(M.b[sel.i], p)) {
        b = M.b[sel.i];
        g = {t: 'move', i: sel.i, n0: toN(p), o: {x: b.x, y: b.y}};
      } else g = {t: 'tap', p0: p, hit: boxAt(p)};
    } else {
      var q = pointAt(p);
      g = q >= 0 && sel && sel.i === q ? {t: 'movep', i: q} : {t: 'tap', p0: p, hit: q};
    }
    g.before = before;
  }
  function mid(f) { return {x: (f[0].x + f[1].x) / 2, y: (f[0].y + f[1].y) / 2}; }
  function move(e) {
    if (!(e.pointerId in ptrs) || !g) return;
    var p = pos(e), n, b;
    ptrs[e.pointerId] = p;
    if (g.t === 'pinch') {
      var f = fingers();
      if (f.length === 2) zoom(g.v0.s * dist(f[0], f[1]) / g.d0, g.m0, mid(f), g.v0);
    } else if (g.t === 'pan') {
      V.x = g.v0.x + p.x - g.p0.x;
      V.y = g.v0.y + p.y - g.p0.y;
    } else if (g.t === 'tap') {
      if (dist(p, g.p0) <= SLOP) return;
      if (mode === 'b') {
        n = toN(g.p0);
        M.b.push({c: classes[cur], x: cl(n.x), y: cl(n.y), w: 0, h: 0});
        g = {t: 'draw', i: M.b.length - 1, ax: cl(n.x), ay: cl(n.y), before: g.before};
        sel = {t: 'b', i: g.i};
        return move(e);
      }
      g = {t: 'pan', p0: g.p0, v0: copy(V), before: g.before};
      return move(e);
    } else if (g.t === 'draw' || g.t === 'resize') {
      n = toN(p);
      span2(M.b[g.i], g.ax, g.ay, {x: cl(n.x + (g.dx || 0)), y: cl(n.y + (g.dy || 0))});
    } else if (g.t === 'move') {
      n = toN(p);
      b = M.b[g.i];
      b.x = Math.min(Math.max(g.o.x + n.x - g.n0.x, 0), 1 - b.w);
      b.y = Math.min(Math.max(g.o.y + n.y - g.n0.y, 0), 1 - b.h);
    } else if (g.t === 'movep') {
      n = toN(p);
      M.p[g.i].x = cl(n.x);
      M.p[g.i].y = cl(n.y);
    }
    render();
  }
  function up(e) {
    if (!(e.pointerId in ptrs)) return;
    delete ptrs[e.pointerId];
    var left = fingers().length;
    if (!g) return;
    if (g.t === 'pinch' || g.t === 'idle') {
      g = left ? {t: 'idle'} : null;  // the finger still down draws nothing
      return;
    }
    if (g.t === 'tap') {
      if (mode === 'b') sel = g.hit >= 0 ? {t: 'b', i: g.hit} : null;
      else if (g.hit >= 0) sel = {t: 'p', i: g.hit};
      else {
        var n = toN(g.p0);
        sel = null;
        if (n.x >= 0 && n.x <= 1 && n.y >= 0 && n.y <= 1) M.p.push({c: classes[cur], x: n.x, y: n.y});
      }
    } else if (g.t === 'draw') {
      var r = scr(M.b[g.i]);
      if (r.w < MIN_BOX || r.h < MIN_BOX) { M.b.pop(); sel = null; }
    }
    commit(g.before);
    g = null;
    render();
  }

  function drawBoxes() {
    gi.setAttribute('transform', 'matrix(' + V.s + ' 0 0 ' + V.s + ' ' + V.x + ' ' + V.y + ')');
    var out = '', top = '';
    M.b.forEach(function (b, i) {
      var on = sel && sel.t === 'b' && sel.i === i, r = scr(b), c = color(b.c);
      var s = '<rect class="bx' + (on ? ' on' : '') + '" x="' + r.x + '" y="' + r.y + '" width="' +
        r.w + '" height="' + r.h + '" stroke="' + c + '" fill="' + c + '"/><text class="lbl" x="' +
        (r.x + (on ? 14 : 3)) + '" y="' + (r.y > 16 ? r.y - 4 : r.y + 14) + '" fill="' + c + '">' + esc(b.c) + '</text>';
      if (on) {
        for (var k = 0; k < 4; k++) {
          s += '<circle class="hd" r="9" cx="' + (r.x + (k & 1 ? r.w : 0)) + '" cy="' +
            (r.y + (k & 2 ? r.h : 0)) + '" stroke="' + c + '"/>';
        }
        top += s;
      } else out += s;
    });
    M.p.forEach(function (p, i) {
      var x = V.x + p.x * IW * V.s, y = V.y + p.y * IH * V.s, c = color(p.c);
      var s = '<circle class="pt" r="6" cx="' + x + '" cy="' + y + '" fill="' + c + '"/>';
      if (sel && sel.t === 'p' && sel.i === i) {
        top += s + '<circle class="ring" r="12" cx="' + x + '" cy="' + y + '" stroke="' + c + '"/>';
      } else out += s;
    });
    ov.innerHTML = out + top;
    var n = M.b.length + M.p.length;
    els.count.textContent = t('marks', {n: n});
    els.bhint.textContent = n ? '' : t(mode === 'p' ? 'hint_points' : 'hint_boxes');
    els.del.disabled = !sel;
    els.pan.setAttribute('aria-pressed', String(panOn));
    if (els.modeB) {
      els.modeB.setAttribute('aria-pressed', String(mode === 'b'));
      els.modeP.setAttribute('aria-pressed', String(mode === 'p'));
    }
    stage.style.cursor = panOn || space ? 'grab' : 'crosshair';
  }

  /* ---- spans ---- */
  var cps = [], toks = [], tEls = [], gEls = [], tp = null, textBox;
  function buildSpans(tools) {
    cps = Array.from(task.text || '');  // offsets count code points, as the server does
    toks = task.tokens || [];
    textBox = h('div', 'text');
    var at = 0;
    toks.forEach(function (k, i) {
      if (k[0] > at) textBox.appendChild(gEls[i] = h('span', 'g', cps.slice(at, k[0]).join('')));
      var e = h('span', 'k', cps.slice(k[0], k[1]).join(''));
      e.setAttribute('data-i', i);
      textBox.appendChild(tEls[i] = e);
      at = k[1];
    });
    if (at < cps.length) textBox.appendChild(D.createTextNode(cps.slice(at).join('')));
    app.appendChild(textBox);
    els.del = button('tool', 'del', 'remove', del);
    tools.appendChild(els.del);
    els.count = h('div', 'count');
    tools.appendChild(els.count);
    textBox.addEventListener('pointerdown', function (e) {
      var l = e.target.closest('.lab');
      tp = {id: e.pointerId, k: tokAt(e.target), lab: l ? +l.getAttribute('data-s') : -1, drag: false};
    });
    textBox.addEventListener('pointermove', function (e) {
      if (!tp || tp.id !== e.pointerId || tp.k < 0) return;
      var k = tokAt(D.elementFromPoint(e.clientX, e.clientY));
      if (k >= 0 && (tp.drag || k !== tp.k)) {
        tp.drag = true;
        wsel = {a: tp.k, f: k};
        ssel = null;
        render();
      }
    });
    textBox.addEventListener('pointerup', function (e) {
      if (!tp || tp.id !== e.pointerId) return;
      var x = tp;
      tp = null;
      if (x.drag) return;
      if (x.lab >= 0) { ssel = x.lab; wsel = null; }
      else if (x.k >= 0) tapToken(x.k);
      else { wsel = null; ssel = null; }
      render();
    });
    textBox.addEventListener('pointercancel', function () { tp = null; });
  }
  function tokAt(el) {
    var k = el && el.closest ? el.closest('.k') : null;
    return k && textBox.contains(k) ? +k.getAttribute('data-i') : -1;
  }
  function covers(x, k) { return x.s <= toks[k][0] && toks[k][1] <= x.e; }
  function spanAt(k) {
    var best = -1;
    sp.forEach(function (x, i) {
      if (covers(x, k) && (best < 0 || x.e - x.s < sp[best].e - sp[best].s)) best = i;
    });
    return best;
  }
  function tapToken(k) {
    if (wsel) {
      if (wsel.a === k && wsel.f === k) wsel = null; else wsel.f = k;
    } else if (ssel != null) {
      var was = sp[ssel];
      ssel = null;
      if (covers(was, k) || spanAt(k) < 0) wsel = {a: k, f: k}; else ssel = spanAt(k);
    } else if (spanAt(k) >= 0) ssel = spanAt(k);
    else wsel = {a: k, f: k};
  }
  function addSpan(c) {
    var i0 = Math.min(wsel.a, wsel.f), i1 = Math.max(wsel.a, wsel.f);
    var s = toks[i0][0], e = toks[i1][1], n = sp.length;
    wsel = null;
    ssel = null;
    if (!task.overlapping) sp = sp.filter(function (x) { return x.e <= s || e <= x.s; });
    if (sp.length < n) toast(t('replaced'));
    if (!sp.some(function (x) { return x.s === s && x.e === e && x.c === c; })) sp.push({s: s, e: e, c: c});
  }
  function drawSpans() {
    var order = sp.map(function (x, i) { return i; }).sort(function (a, b) {
      return sp[a].s - sp[b].s || sp[b].e - sp[a].e;
    });
    var level = [], ends = [];
    order.forEach(function (i) {
      var l = 0;
      while (ends[l] > sp[i].s) l++;
      ends[l] = sp[i].e;
      level[i] = l;
    });
    var lo = wsel ? Math.min(wsel.a, wsel.f) : -1, hi = wsel ? Math.max(wsel.a, wsel.f) : -2;
    function paint(el, k, within) {
      var on = order.filter(within).sort(function (a, b) { return level[a] - level[b]; });
      el.style.boxShadow = on.map(function (i) {
        return '0 ' + 3 * (level[i] + 1) + 'px 0 ' + color(sp[i].c);
      }).join(',');
      el.style.backgroundColor = on.length ? color(sp[on[on.length - 1]].c) + '33' : '';
      el.className = (el.className.charAt(0)) + (k >= lo && k <= hi ? ' ws' : '') +
        (ssel != null && on.indexOf(ssel) >= 0 ? ' ss' : '');
    }
    tEls.forEach(function (el, k) { paint(el, k, function (i) { return covers(sp[i], k); }); });
    gEls.forEach(function (el, k) {
      if (el && k > 0) paint(el, k > lo && k <= hi ? k : -1, function (i) {
        return covers(sp[i], k - 1) && covers(sp[i], k);
      });
    });
    Array.prototype.slice.call(textBox.querySelectorAll('.lab')).forEach(function (e) { e.remove(); });
    order.forEach(function (i) {
      var last = 0;
      toks.forEach(function (k, j) { if (k[1] <= sp[i].e) last = j; });
      var b = h('span', 'lab' + (i === ssel ? ' ss' : ''), sp[i].c);
      b.setAttribute('data-s', i);
      b.style.background = color(sp[i].c);
      var after = tEls[last];
      while (after.nextSibling && after.nextSibling.className && after.nextSibling.className.indexOf('lab') === 0) after = after.nextSibling;
      textBox.insertBefore(b, after.nextSibling);
    });
    els.count.textContent = t('spans', {n: sp.length});
    els.hint.textContent = t(wsel ? 'pick_label' : 'hint_spans');
    els.del.disabled = ssel == null;
  }

  theme();
  post('web_app_ready');
  post('web_app_expand');
  post('web_app_setup_swipe_behavior', {allow_vertical_swipe: false});
  open();
})();
