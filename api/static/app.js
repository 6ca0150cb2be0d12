/*
 * Картотека — search page front end.
 * Plain ES2017, no frameworks, no build step. Works under a strict CSP
 * (no inline scripts/styles, no innerHTML with data).
 */
(function () {
  'use strict';

  // ---------------------------------------------------------------------
  // Pure helpers (exported at the bottom for tests)
  // ---------------------------------------------------------------------

  // The path the service is published under ('' at a host's root, '/search' behind a
  // proxy publishing it at /search/): this script's address without /static/app.js.
  var BASE = (function () {
    var own = typeof document !== 'undefined' && document.currentScript;
    if (!own || !own.src) return '';
    return new URL(own.src, document.baseURI).pathname.replace(/\/static\/app\.js$/, '');
  })();

  var MONTHS_GENITIVE = [
    'января', 'февраля', 'марта', 'апреля', 'мая', 'июня',
    'июля', 'августа', 'сентября', 'октября', 'ноября', 'декабря'
  ];

  /** "2024-11-12" -> "12 ноября 2024". Returns '' for empty/invalid input. */
  function formatDateRu(iso) {
    if (!iso) return '';
    var m = /^(\d{4})-(\d{2})-(\d{2})/.exec(String(iso));
    if (!m) return '';
    var month = parseInt(m[2], 10);
    var day = parseInt(m[3], 10);
    if (month < 1 || month > 12 || day < 1 || day > 31) return '';
    return day + ' ' + MONTHS_GENITIVE[month - 1] + ' ' + m[1];
  }

  /** pluralRu(21, ["публикация", "публикации", "публикаций"]) -> "публикация" */
  function pluralRu(n, forms) {
    var abs = Math.abs(Math.trunc(Number(n) || 0));
    var mod100 = abs % 100;
    var mod10 = abs % 10;
    if (mod100 >= 11 && mod100 <= 14) return forms[2];
    if (mod10 === 1) return forms[0];
    if (mod10 >= 2 && mod10 <= 4) return forms[1];
    return forms[2];
  }

  /** andCopies(398) -> " и 398 копий тех же текстов": matches folded into the hits as copies. */
  function andCopies(n) {
    var copies = Math.trunc(Number(n) || 0);
    return copies > 0 ? ' и ' + copies + ' ' + pluralRu(copies, ['копия', 'копии', 'копий']) +
      ' тех же текстов' : '';
  }

  var NAMED_ENTITIES = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'", nbsp: '\u00a0' };

  /** Decode the HTML entities the server may emit. Single pass: "&amp;lt;" -> "&lt;". */
  function decodeEntities(text) {
    return String(text).replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, function (whole, body) {
      if (body.charAt(0) === '#') {
        var code = body.charAt(1).toLowerCase() === 'x'
          ? parseInt(body.slice(2), 16)
          : parseInt(body.slice(1), 10);
        if (!isFinite(code) || code <= 0 || code > 0x10ffff) return whole;
        try { return String.fromCodePoint(code); } catch (e) { return whole; }
      }
      var named = NAMED_ENTITIES[body.toLowerCase()];
      return named === undefined ? whole : named;
    });
  }

  /**
   * Split a server snippet ("escaped text with <mark>hits</mark>") into parts:
   * [{text: "...", mark: false}, {text: "...", mark: true}, ...].
   * Only <mark> / </mark> are honoured; anything else stays literal text.
   */
  function parseSnippet(snippet) {
    var parts = [];
    var inMark = false;
    String(snippet || '').split(/(<mark>|<\/mark>)/i).forEach(function (piece) {
      var tag = piece.toLowerCase();
      if (tag === '<mark>') { inMark = true; return; }
      if (tag === '</mark>') { inMark = false; return; }
      if (piece) parts.push({ text: decodeEntities(piece), mark: inMark });
    });
    return parts;
  }

  /** Build a DocumentFragment of text nodes and <mark> elements. */
  function buildSnippet(doc, snippet) {
    var frag = doc.createDocumentFragment();
    parseSnippet(snippet).forEach(function (part) {
      if (part.mark) {
        var mark = doc.createElement('mark');
        mark.textContent = part.text;
        frag.appendChild(mark);
      } else {
        frag.appendChild(doc.createTextNode(part.text));
      }
    });
    return frag;
  }

  /** Only http(s) URLs are linked directly; anything else opens our publication page. */
  /** A hit's own address, or its page here carrying the search it was found by, for the
   *  page's «← К поиску» (it led to an empty search). */
  function hitHref(hit) {
    if (typeof hit.url === 'string' && /^https?:\/\//i.test(hit.url)) return hit.url;
    return publicationHref(hit.id, true);
  }

  /** withBack: with the search shown (`back`), for the page's way back to it. */
  function publicationHref(id, withBack) {
    var search = withBack && current ? paramsFromState(current).toString() : '';
    return BASE + '/p/' + encodeURIComponent(String(id)) +
      (search ? '?back=' + encodeURIComponent(search) : '');
  }

  /**
   * "01.09.2024" (also 1.9.2024, 01,09,2024 from a phone's number pad, 01092024, 2024-09-01)
   * -> "2024-09-01"; '' when empty; null when it is not a real date.
   */
  function parseDateRu(text) {
    var value = String(text || '').trim();
    if (!value) return '';
    var m = DAY_MONTH_YEAR.exec(value) || /^(\d{2})(\d{2})(\d{4})$/.exec(value);
    var iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
    var year, month, day;
    if (m) { day = +m[1]; month = +m[2]; year = fullYear(m[3]); }
    else if (iso) { year = +iso[1]; month = +iso[2]; day = +iso[3]; }
    else return null;
    var date = new Date(Date.UTC(year, month - 1, day));
    if (year < 1000 || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return null;
    return year + '-' + pad2(month) + '-' + pad2(day);
  }

  // дд.мм.гггг, and дд.мм.гг as people write it (01.04.21)
  var DAY_MONTH_YEAR = /^(\d{1,2})[.,\/\- ](\d{1,2})[.,\/\- ](\d{4}|\d{2})$/;

  /** A two-digit year is of this century up to next year, else of the last (21: 2021). */
  function fullYear(written) {
    var year = +written;
    if (written.length !== 2) return year;
    var next = (new Date().getFullYear() + 1) % 100;
    return year <= next ? 2000 + year : 1900 + year;
  }

  /** Why parseDateRu refused `text`: written right but no such day, or not read at all. */
  function dateProblem(text) {
    var value = String(text || '').trim();
    var written = DAY_MONTH_YEAR.test(value) ||
      /^\d{8}$/.test(value) || /^\d{4}-\d{2}-\d{2}$/.test(value);
    return written
      ? 'Даты «' + value + '» нет в календаре: проверьте день, месяц и год.'
      : 'Дата «' + value + '» не распознана: введите её в виде дд.мм.гггг, например 01.09.2024.';
  }

  /** "2024-09-01" -> "01.09.2024"; anything else is returned as it is. */
  function formatDateInput(iso) {
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(iso || ''));
    return m ? m[3] + '.' + m[2] + '.' + m[1] : String(iso || '');
  }

  function pad2(n) { return (n < 10 ? '0' : '') + n; }

  /**
   * Why a corrected query is shown, by the API's `correction` (what it mended): before
   * «Показаны результаты по запросу …», and what follows the query there. A word half
   * typed (`выст`: «выст*») is no typo, and its star is said in words.
   */
  function correctionWords(kind, query) {
    if (kind === 'layout') return ['Запрос «' + query + '» набран в английской раскладке. ', ''];
    if (kind === 'latin') return ['Запрос «' + query + '» набран латиницей. ', ''];
    if (kind === 'beginning') return ['В запросе «' + query + '» слово не дописано. ', ' (звёздочка — любое продолжение слова)'];
    return ['Похоже, в запросе «' + query + '» опечатка. ', ''];
  }

  // ---------------------------------------------------------------------
  // State <-> URL
  // ---------------------------------------------------------------------

  var FACETS = [
    { key: 'topic', label: 'Тема' },
    { key: 'author', label: 'Автор' },
    { key: 'library', label: 'Библиотека' },
    { key: 'year', label: 'Год' }
  ];
  var FACET_KEYS = FACETS.map(function (f) { return f.key; });
  var SORTS = ['relevance', 'date_desc', 'date_asc'];
  var MAX_PAGE = 10000;  // the API's largest page (api/params.py): a deeper link shows the last page notice
  var FACET_COLLAPSED_LIMIT = 8;

  function emptyState() {
    return { q: '', topic: [], author: [], library: [], year: [], from: '', to: '', sort: '', page: 1, perPage: '' };
  }

  function stateFromParams(params) {
    var state = emptyState();
    state.q = (params.get('q') || '').trim();
    FACET_KEYS.forEach(function (key) {
      state[key] = uniq(params.getAll(key).filter(Boolean));
    });
    state.from = params.get('from') || '';
    state.to = params.get('to') || '';
    var sort = params.get('sort') || '';
    state.sort = SORTS.indexOf(sort) >= 0 ? sort : '';
    var page = parseInt(params.get('page'), 10);
    state.page = page > 0 ? Math.min(page, MAX_PAGE) : 1;
    var perPage = parseInt(params.get('per_page'), 10);
    state.perPage = perPage > 0 ? String(perPage) : '';
    return state;
  }

  /** Params for the page URL and API. opts.withPaging=false drops page/per_page. */
  function paramsFromState(state, opts) {
    var withPaging = !opts || opts.withPaging !== false;
    var params = new URLSearchParams();
    if (state.q) params.set('q', state.q);
    FACET_KEYS.forEach(function (key) {
      state[key].forEach(function (v) { params.append(key, v); });
    });
    if (state.from) params.set('from', state.from);
    if (state.to) params.set('to', state.to);
    if (state.sort) params.set('sort', state.sort);
    if (withPaging) {
      if (state.page > 1) params.set('page', String(state.page));
      if (state.perPage) params.set('per_page', state.perPage);
    }
    return params;
  }

  /** API params: like the URL, but browsing without a query defaults to newest first. */
  function apiParams(state, opts) {
    var params = paramsFromState(state, opts);
    if (!state.q && !state.sort) params.set('sort', 'date_desc');
    return params;
  }

  function hasFilters(state) {
    return FACET_KEYS.some(function (key) { return state[key].length > 0; }) ||
      Boolean(state.from) || Boolean(state.to);
  }

  function effectiveSort(state) {
    return state.sort || (state.q ? 'relevance' : 'date_desc');
  }

  function uniq(list) {
    return list.filter(function (v, i) { return list.indexOf(v) === i; });
  }

  function cloneState(state) {
    var copy = Object.assign({}, state);
    FACET_KEYS.forEach(function (key) { copy[key] = state[key].slice(); });
    return copy;
  }

  // ---------------------------------------------------------------------
  // DOM helpers
  // ---------------------------------------------------------------------

  function $(id) { return document.getElementById(id); }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  function show(node, visible) {
    node.hidden = !visible;
  }

  // ---------------------------------------------------------------------
  // Page controller
  // ---------------------------------------------------------------------

  var current = emptyState();
  var searchSeq = 0;
  var searchAbort = null;
  var expandedFacets = {};

  function navigate(state, push) {
    current = state;
    var query = paramsFromState(state).toString();
    var url = BASE + '/' + (query ? '?' + query : '');
    if (push && url !== location.pathname + location.search) {
      history.pushState(null, '', url);
    }
    syncControls(state);
    runSearch(state);
  }

  function syncControls(state) {
    $('q').value = state.q;
    $('from').value = formatDateInput(state.from);
    $('to').value = formatDateInput(state.to);
    setDateError('');
    $('sort').value = effectiveSort(state);
    updateFiltersToggle(state);
    document.title = pageTitle(state);
  }

  /** «выставки» · Выставки, 2024 — Картотека: the query and the filters in use, which a
   *  tab, the history and a screen reader's page title had left out. */
  function pageTitle(state) {
    var filters = FACET_KEYS.reduce(function (all, key) { return all.concat(state[key]); }, []);
    if (state.from || state.to) filters.push(periodText(state));
    var what = state.q ? ['«' + state.q + '»'] : [];
    if (filters.length) what.push(filters.join(', '));
    if (!what.length) return 'Картотека — поиск по публикациям библиотек';
    return what.join(' · ') + (state.page > 1 ? ', страница ' + state.page : '') + ' — Картотека';
  }

  function runSearch(state) {
    if (searchAbort) searchAbort.abort();
    searchAbort = null;
    hideSuggestions();

    if (!state.q && !hasFilters(state)) {
      renderWelcome();
      return;
    }
    if (renderDateProblem(state)) return;

    var seq = ++searchSeq;
    var controller = typeof AbortController === 'function' ? new AbortController() : null;
    searchAbort = controller;
    setLoading(true);

    fetch(BASE + '/api/search?' + apiParams(state).toString(), {
      headers: { Accept: 'application/json' },
      credentials: 'same-origin',
      signal: controller ? controller.signal : undefined
    })
      .then(function (response) {
        return response.json().catch(function () { return null; }).then(function (body) {
          return { ok: response.ok, status: response.status, body: body };
        });
      })
      .then(function (result) {
        if (seq !== searchSeq) return;
        setLoading(false);
        if (!result.ok || !result.body) {
          renderError(errorMessage(result));
          return;
        }
        renderResults(state, result.body);
      })
      .catch(function (err) {
        if (seq !== searchSeq || (err && err.name === 'AbortError')) return;
        setLoading(false);
        renderError('Не удалось связаться с сервером. Проверьте подключение и попробуйте ещё раз.');
      });
  }

  /** What was wrong with the request in the server's (Russian) words; the server's own
   *  states (no index yet, a failure) by status, since their details are for its admin. */
  function errorMessage(result) {
    var body = result.body;
    var text = body && typeof body.description === 'string' ? body.description : '';
    // the URL's parameter names mean nothing to a visitor: «q» is the query typed
    text = text.replace(/«q»/g, 'запрос');
    if (result.status === 400 && /[а-яё]/i.test(text)) return 'Не удалось выполнить поиск: ' + text + '.';
    if (result.status === 400) return 'Не удалось выполнить поиск: проверьте запрос и фильтры.';
    if (result.status === 503) return 'Поиск временно недоступен: индекс ещё не готов. Попробуйте через минуту.';
    return 'Ошибка сервера (код ' + result.status + '). Попробуйте позже.';
  }

  var searchingTimer = null;
  var SEARCHING_AFTER_MS = 300;

  function setLoading(loading) {
    var results = $('results');
    results.setAttribute('aria-busy', loading ? 'true' : 'false');
    results.classList.toggle('is-loading', loading);
    // said on a slow network (and by a screen reader), as the widget says it: after a
    // moment, so that a quick answer does not flicker
    clearTimeout(searchingTimer);
    $('searching').textContent = '';
    if (loading) {
      searchingTimer = setTimeout(function () { $('searching').textContent = 'Ищем…'; },
        SEARCHING_AFTER_MS);
    }
  }

  // ---------------------------------------------------------------------
  // Rendering
  // ---------------------------------------------------------------------

  function resetResultArea() {
    clear($('hits'));
    clear($('partial-hits'));
    show($('partial'), false);
    clear($('notices'));
    clear($('pager'));
    show($('pager'), false);
    show($('error'), false);
    show($('empty'), false);
    show($('welcome'), false);
    $('status').textContent = '';
    if ($('date-error').hidden) setDateError('');  // a reversed period put right: unmarked
  }

  function renderWelcome() {
    setLoading(false);
    resetResultArea();
    clear($('facet-lists'));
    if (facetFocus) {
      facetFocus = null;
      $('q').focus();
    }
    show($('welcome'), true);
    show($('export'), false);
    show($('export-xlsx'), false);
    show($('reset-filters'), false);
  }

  function renderError(message, action) {
    resetResultArea();
    $('error').textContent = message;
    if (action) $('error').appendChild(action);
    show($('error'), true);
    // the filters and counts were the previous search's: beside the error (the server
    // down) they read as this one's; the filters in use can still be dropped
    clear($('facet-lists'));
    show($('reset-filters'), hasFilters(current));
    if (facetFocus) {
      facetFocus = null;
      $('results').focus({ preventScroll: true });
    }
    show($('export'), false);
    show($('export-xlsx'), false);
  }

  function renderResults(state, data) {
    resetResultArea();
    var total = Number(data.total) || 0;
    var hits = Array.isArray(data.hits) ? data.hits : [];

    renderNotices(state, data);
    renderFacets(state, data.facets || {});

    if (hits.length === 0 && total > 0) {
      $('notices').appendChild(pastLastPageNotice(state, data, total));
    } else if (hits.length === 0) {
      $('empty').textContent = emptyText(state);
      show($('empty'), true);
    } else {
      var list = $('hits');
      hits.forEach(function (hit) { list.appendChild(renderHit(hit)); });
    }
    renderPartial(state, data);
    // after the notices: it says each of them too
    setStatus($('status'), state, data, total, hits.length);

    renderPager(state, data, total);
    updateExport(state, total);
    show($('reset-filters'), hasFilters(state));
  }

  /**
   * One notice per situation, built from the structured fields: a corrected query (typo or
   * keyboard layout), a did-you-mean offer, partial matches; then the server's other
   * warnings, minus those that say again what a notice above already says.
   */
  function renderNotices(state, data) {
    var box = $('notices');
    var query = typeof data.query === 'string' && data.query ? data.query : state.q;
    var fix = data.did_you_mean ? String(data.did_you_mean) : '';
    var layout = data.correction === 'layout';
    if (data.corrected && fix) {
      var why = correctionWords(data.correction, query);
      box.appendChild(notice('corrected', [
        why[0], 'Показаны результаты по запросу «', ['strong', fix], '»' + why[1] + '.']));
    } else if (fix) {
      var next = cloneState(state);
      next.q = fix;
      next.page = 1;
      var link = stateLink('did-you-mean', fix, next);
      box.appendChild(notice('did-you-mean-line', [
        layout ? 'Возможно, запрос набран в английской раскладке: ' : 'Возможно, вы имели в виду: ',
        link]));
    }
    if (data.relaxed) {
      box.appendChild(notice('relaxed', [
        'Ни одна публикация не содержит всех слов запроса — показаны частичные совпадения.']));
    }
    topicHints(data).forEach(function (topic) {
      var next = cloneState(state);
      next.q = '';
      next.topic = [topic.value];
      next.page = 1;
      var link = stateLink('topic-hint-link', 'показать её публикации (' + topic.count + ')', next);
      box.appendChild(notice('topic-hint', ['Есть тема «', ['strong', topic.value], '»: ', link]));
    });
    otherWarnings(data, fix).forEach(function (warning) {
      // a notice of its own: a sentence (the API's warnings are clauses, as the CLI prints them)
      box.appendChild(notice('warning', [warning.charAt(0).toUpperCase() + warning.slice(1)]));
    });
  }

  /** The topics whose names hold the words of a query that found nothing. */
  function topicHints(data) {
    return (Array.isArray(data.topic_hints) ? data.topic_hints : []).filter(function (t) {
      return t && typeof t.value === 'string' && t.value;
    });
  }

  function otherWarnings(data, fix) {
    var seen = {};
    var hinted = topicHints(data).map(function (t) { return 'есть тема «' + t.value + '»'; });
    return (Array.isArray(data.warnings) ? data.warnings : []).filter(function (w) {
      if (typeof w !== 'string' || !w || seen[w]) return false;
      seen[w] = true;
      if (hinted.some(function (h) { return w.indexOf(h) === 0; })) return false;
      if (/^страницы \d+ нет/.test(w)) return false;  // its own notice, with a link, says it
      var text = w.toLowerCase();
      if (data.corrected && fix && (text.indexOf('«' + fix.toLowerCase() + '»') >= 0 ||
          text.indexOf('раскладк') >= 0 || text.indexOf('показаны результаты по запросу') >= 0)) {
        return false;
      }
      return !(data.relaxed && text.indexOf('частичн') >= 0);
    });
  }

  /** <p class="notice ..."> of strings, [tag, text] pairs and ready nodes. */
  function notice(kind, parts) {
    var p = el('p', 'notice ' + kind);
    parts.forEach(function (part) {
      if (typeof part === 'string') p.appendChild(document.createTextNode(part));
      else if (Array.isArray(part)) p.appendChild(el(part[0], null, part[1]));
      else p.appendChild(part);
    });
    return p;
  }

  /** The status line (a polite live region): the count and the page, or that nothing
   *  was found, shown; then, for a screen reader only, what the notices below show to
   *  the eye (every one of them, and partial matches), which shown twice read as a repeat. */
  function setStatus(node, state, data, total, shown) {
    var parts = announcement(state, data, total, shown);
    // nothing found: the box below says it to the eye (it was read twice)
    var seen = total > 0 ? parts.shift() : '';
    node.textContent = seen;
    if (parts.length) node.appendChild(el('span', 'visually-hidden', (seen ? ' ' : '') + parts.join(' ')));
  }

  function announcement(state, data, total, shown) {
    var parts = [];
    var perPage = Number(data.per_page) || Number(state.perPage) || 10;
    var pages = Math.max(1, Math.ceil(total / perPage));
    var page = Number(data.page) || state.page || 1;
    if (total > 0) {
      parts.push('Найдено: ' + total + ' ' + pluralRu(total, ['публикация', 'публикации', 'публикаций']) +
        andCopies(data.copies_total) + (pages > 1 && shown ? ', страница ' + page + ' из ' + pages : '') + '.');
    } else {
      parts.push(emptyText(state));
    }
    var fix = data.did_you_mean ? String(data.did_you_mean) : '';
    if (data.corrected && fix) parts.push('Запрос исправлен: показаны результаты по запросу «' + fix + '».');
    else if (fix) parts.push('Возможно, вы имели в виду «' + fix + '».');
    if (data.relaxed) parts.push('Ни одна публикация не содержит всех слов запроса: показаны частичные совпадения.');
    parts = parts.concat(noticesAsShown());
    var partial = Array.isArray(data.partial) ? data.partial.length : 0;
    if (partial) {
      var more = Number(data.partial_total) || partial;
      parts.push('Ещё ' + more + ' ' + pluralRu(more, ['публикация', 'публикации', 'публикаций']) +
        ' — не со всеми словами запроса.');
    }
    return parts;
  }

  // The notices said above in words of their own; the others are said as shown.
  var SAID_APART = '.corrected, .did-you-mean-line, .relaxed';

  /** The other notices shown (the server's warnings, a topic's hint, a page past the
   *  last): a screen reader had heard none of them. */
  function noticesAsShown() {
    return Array.prototype.filter.call($('notices').querySelectorAll('.notice'), function (n) {
      return !n.matches(SAID_APART);
    }).map(function (n) {
      var text = n.textContent.trim();
      return /[.!?…]$/.test(text) ? text : text + '.';
    });
  }

  function emptyText(state) {
    var facets = FACET_KEYS.some(function (key) { return state[key].length; });
    var what = state.q ? 'По запросу «' + state.q + '»' : facets ? 'С выбранными фильтрами'
      : 'За выбранный период';
    if (state.q && hasFilters(state)) what += ' с выбранными фильтрами';
    return what + ' ничего не найдено. ' + (state.q && !hasFilters(state)
      ? 'Попробуйте изменить запрос.' : 'Попробуйте изменить запрос или снять фильтры.');
  }

  function pastLastPageNotice(state, data, total) {
    var perPage = Number(data.per_page) || Number(state.perPage) || 10;
    var pages = Math.max(1, Math.ceil(total / perPage));
    var last = cloneState(state);
    last.page = pages;
    var link = stateLink('last-page', 'Перейти на последнюю страницу', last);
    return notice('past-last', ['Страницы ' + state.page + ' нет: всего страниц — ' + pages + '. ',
      link]);
  }

  /** A date the API would refuse is explained here, in Russian, and nothing is requested. */
  function renderDateProblem(state) {
    var from = state.from ? parseDateRu(state.from) : '';
    var to = state.to ? parseDateRu(state.to) : '';
    if (from === null || to === null) {
      setLoading(false);
      renderError(dateProblem(from === null ? state.from : state.to));
      return true;
    }
    if (!(from && to && from > to)) return false;
    setLoading(false);
    var swap = el('button', 'btn-text swap-dates', 'Поменять даты местами');
    swap.type = 'button';
    swap.addEventListener('click', function () {
      var next = cloneState(state);
      next.from = to;
      next.to = from;
      next.page = 1;
      navigate(next, true);
      $('from').focus();
    });
    renderError('Начало периода (' + formatDateInput(from) + ') позже его конца (' +
      formatDateInput(to) + ').', swap);
    ['from', 'to'].forEach(function (id) {  // both wrong together: marked and described
      $(id).setAttribute('aria-invalid', 'true');
      $(id).setAttribute('aria-describedby', 'date-hint error');
    });
    return true;
  }

  /** Publications with only some of the words: a block of their own, never counted above. */
  function renderPartial(state, data) {
    var partial = Array.isArray(data.partial) ? data.partial : [];
    if (!partial.length) return;
    var count = Number(data.partial_total) || partial.length;
    $('partial-title').textContent = 'Не все слова запроса: ещё ' + count + ' ' +
      pluralRu(count, ['публикация', 'публикации', 'публикаций']);
    var list = $('partial-hits');
    partial.forEach(function (hit) { list.appendChild(renderHit(hit)); });
    var more = $('partial-more');
    clear(more);
    var link = count > partial.length ? anyWordLink(state) : null;
    if (link) more.appendChild(link);
    show(more, !!link);
    show($('partial'), true);
  }

  /** The block shows the first few of the partial matches; the rest are one search away:
   *  the same words joined by OR (every page of them, with filters and exports). */
  function anyWordLink(state) {
    var words = state.q.split(/\s+/).filter(Boolean);
    if (words.length < 2 || /["«»()|*=~^]|(^|\s)(OR|AND|NOT|ИЛИ|НЕ|-)/.test(state.q)) return null;
    var next = cloneState(state);
    next.q = words.join(' OR ');
    next.page = 1;
    return stateLink('any-word', 'Все публикации хотя бы с одним из слов', next);
  }

  function renderHit(hit) {
    var item = el('li', 'hit');
    if (hit.id !== undefined && hit.id !== null) item.setAttribute('data-id', String(hit.id));

    var heading = el('h3', 'hit-title');
    var link = el('a', 'hit-link', hit.title || 'Без названия');
    link.href = hitHref(hit);
    heading.appendChild(link);
    item.appendChild(heading);

    var meta = el('p', 'hit-meta');
    var date = formatDateRu(hit.published);
    if (date) {
      var time = el('time', 'hit-date', date);
      time.setAttribute('datetime', String(hit.published).slice(0, 10));
      meta.appendChild(time);
    }
    if (hit.author) meta.appendChild(el('span', 'hit-author', hit.author));
    if (hit.library) meta.appendChild(el('span', 'hit-library', hit.library));
    var copies = Array.isArray(hit.copies) ? hit.copies.length : 0;
    if (copies) {
      meta.appendChild(el('span', 'hit-copies', 'ещё ' + copies + ' ' +
        pluralRu(copies, ['копия', 'копии', 'копий']) + ' этого текста'));
    }
    if (meta.firstChild) item.appendChild(meta);

    if (hit.snippet) {
      var snippet = el('p', 'hit-snippet');
      snippet.appendChild(buildSnippet(document, hit.snippet));
      item.appendChild(snippet);
    }

    var topics = Array.isArray(hit.topics) ? hit.topics.filter(Boolean) : [];
    if (topics.length) {
      var list = el('ul', 'hit-topics');
      list.setAttribute('aria-label', 'Темы');
      topics.forEach(function (topic) {
        var li = el('li');
        var button = el('button', 'hit-topic', topic);
        button.type = 'button';
        button.title = 'Показать публикации по теме «' + topic + '»';
        button.addEventListener('click', function () {
          facetFocus = { key: 'topic', value: topic };
          addFilter('topic', topic);
        });
        li.appendChild(button);
        list.appendChild(li);
      });
      item.appendChild(list);
    }
    return item;
  }

  function renderFacets(state, facets) {
    var container = $('facet-lists');
    clear(container);
    FACETS.forEach(function (facet) {
      var values = mergeSelected(facets[facet.key], state[facet.key]);
      if (!values.length) return;
      container.appendChild(renderFacetGroup(facet, values));
    });
    restoreFacetFocus();
  }

  // The facet lists are rebuilt after every toggle; keyboard focus goes back to the
  // value that was toggled (or its group's title when the value is gone), not to <body>.
  var facetFocus = null;

  function restoreFacetFocus() {
    var target = facetFocus;
    facetFocus = null;
    if (!target) return;
    var buttons = $('facet-lists').querySelectorAll(
      'li.facet-value[data-facet="' + target.key + '"] button.facet-button');
    var found = Array.prototype.filter.call(buttons, function (b) {
      return b.parentNode.getAttribute('data-value') === target.value;
    })[0];
    if (found && found.parentNode.hidden) found = null;
    if (!found) {
      found = $('facet-title-' + target.key) || $('results');
      if (found) found.setAttribute('tabindex', '-1');
    }
    if (found) found.focus({ preventScroll: true });
  }

  /** Keep selected values visible even if the server no longer lists them. */
  /** A facet value as the server's filters compare it: case and ё do not matter. */
  function facetKey(value) {
    return String(value).toLowerCase().replace(/ё/g, 'е');
  }

  /** The server's values, marked as the filters in the URL match them (`вершинина`
   *  selects «Вершинина»); a filter value matching none is listed so it can be unticked. */
  function mergeSelected(values, selected) {
    var list = Array.isArray(values) ? values.slice() : [];
    var chosen = {};
    selected.forEach(function (value) { chosen[facetKey(value)] = true; });
    var seen = {};
    list.forEach(function (v) { seen[facetKey(v.value)] = true; });
    selected.forEach(function (value) {
      if (!seen[facetKey(value)]) list.unshift({ value: value, count: 0, selected: true });
    });
    return list.map(function (v) {
      return {
        value: String(v.value),
        count: Number(v.count) || 0,
        selected: Boolean(v.selected) || Boolean(chosen[facetKey(v.value)])
      };
    });
  }

  function renderFacetGroup(facet, values) {
    var section = el('section', 'facet-group');
    section.setAttribute('data-facet', facet.key);
    var titleId = 'facet-title-' + facet.key;
    var title = el('h2', 'facet-title', facet.label);
    title.id = titleId;
    section.appendChild(title);

    // a group, so that a screen reader landing on a button names it («Тема», «Автор»)
    section.setAttribute('role', 'group');
    section.setAttribute('aria-labelledby', titleId);
    var list = el('ul', 'facet-list');
    list.setAttribute('aria-labelledby', titleId);
    var expanded = Boolean(expandedFacets[facet.key]);
    values.forEach(function (v, index) {
      var item = renderFacetValue(facet.key, v);
      if (!expanded && index >= FACET_COLLAPSED_LIMIT && !v.selected) item.hidden = true;
      list.appendChild(item);
    });
    section.appendChild(list);

    var hiddenCount = values.length - FACET_COLLAPSED_LIMIT;
    if (hiddenCount > 0) {
      var more = el('button', 'btn-text facet-more',
        expanded ? 'Свернуть' : 'Показать ещё ' + hiddenCount);
      more.type = 'button';
      more.setAttribute('aria-expanded', expanded ? 'true' : 'false');
      more.addEventListener('click', function () {
        expandedFacets[facet.key] = !expanded;
        var fresh = renderFacetGroup(facet, values);
        section.parentNode.replaceChild(fresh, section);
        fresh.querySelector('.facet-more').focus();
      });
      section.appendChild(more);
    }
    return section;
  }

  function renderFacetValue(key, v) {
    var item = el('li', 'facet-value' + (v.selected ? ' selected' : ''));
    item.setAttribute('data-facet', key);
    item.setAttribute('data-value', v.value);

    var button = el('button', 'facet-button');
    button.type = 'button';
    button.setAttribute('aria-pressed', v.selected ? 'true' : 'false');
    button.appendChild(el('span', 'facet-check'));
    // the count apart from the name for a screen reader: «2025, 3 публикации», not «2025 3»
    button.setAttribute('aria-label', v.value + ', ' + v.count + ' ' +
      pluralRu(v.count, ['публикация', 'публикации', 'публикаций']));
    button.appendChild(el('span', 'facet-label', v.value));
    button.appendChild(el('span', 'facet-count', v.count));
    button.addEventListener('click', function () {
      facetFocus = { key: key, value: v.value };
      toggleFilter(key, v.value);
      closeFiltersOnPhone();
    });
    item.appendChild(button);
    return item;
  }

  function renderPager(state, data, total) {
    var pager = $('pager');
    var perPage = Number(data.per_page) || Number(state.perPage) || 10;
    var page = Number(data.page) || state.page;
    var pages = Math.ceil(total / perPage);
    if (pages <= 1) return;

    pager.appendChild(pagerLink(state, page - 1, 'Назад', 'pager-prev', page <= 1, 'Назад, предыдущая страница'));
    var list = el('ul', 'pager-pages');
    pageWindow(page, pages).forEach(function (n) {
      var li = el('li');
      if (n === null) {
        li.appendChild(el('span', 'pager-gap', '…'));
      } else if (n === page) {
        var cur = el('span', 'pager-page current', n);
        cur.setAttribute('aria-current', 'page');
        li.appendChild(cur);
      } else {
        li.appendChild(pagerLink(state, n, String(n), 'pager-page', false, 'Страница ' + n));
      }
      list.appendChild(li);
    });
    pager.appendChild(list);
    pager.appendChild(pagerLink(state, page + 1, 'Вперёд', 'pager-next', page >= pages, 'Вперёд, следующая страница'));
    show(pager, true);
  }

  /** Page numbers to show: first, last and a window around the current page; null = gap. */
  function pageWindow(page, pages) {
    var result = [];
    var last = 0;
    for (var n = 1; n <= pages; n++) {
      if (n === 1 || n === pages || Math.abs(n - page) <= 2) {
        if (last && n - last > 1) result.push(null);
        result.push(n);
        last = n;
      }
    }
    return result;
  }

  function pagerLink(state, page, text, className, disabled, label) {
    if (disabled) {
      var span = el('span', className + ' disabled', text);
      span.setAttribute('aria-disabled', 'true');
      return span;
    }
    var next = cloneState(state);
    next.page = page;
    var link = el('a', className, text);
    link.href = BASE + '/?' + paramsFromState(next).toString();
    link.setAttribute('data-page', String(page));
    link.setAttribute('aria-label', label);
    link.addEventListener('click', function (event) {
      if (isModifiedClick(event)) return;
      event.preventDefault();
      navigate(next, true);
      $('results').scrollIntoView({ block: 'start' });
      $('results').focus({ preventScroll: true });
    });
    return link;
  }

  function updateExport(state, total) {
    ['csv', 'xlsx'].forEach(function (format) {
      var params = apiParams(state, { withPaging: false });
      params.set('format', format);
      var link = $(format === 'csv' ? 'export' : 'export-xlsx');
      link.href = BASE + '/api/export?' + params.toString();
      show(link, total > 0);
    });
  }

  // An export is fetched here rather than left to the browser: a refused one (503 while
  // another export runs, a 400) downloaded nothing and said nothing.
  var EXPORT_TRIES = 20;  // about a minute of waiting for another export to end
  var exportSeq = 0;
  var exportAbort = null;  // the export under way: a new click stops it (it holds a slot)
  var exportRetry = null;

  function onExportClick(event) {
    if (isModifiedClick(event) || typeof fetch !== 'function' ||
        !(window.URL && URL.createObjectURL)) return;  // the browser's own download
    event.preventDefault();
    if (exportAbort) exportAbort.abort();
    clearTimeout(exportRetry);
    downloadExport(event.currentTarget.href, ++exportSeq, 1);
  }

  function downloadExport(href, seq, attempt) {
    setExportStatus(attempt === 1 ? 'Готовим файл…' : 'Сейчас идёт другая выгрузка: ждём ' +
      'очереди (попытка ' + attempt + ' из ' + EXPORT_TRIES + ')…', false);
    var controller = typeof AbortController === 'function' ? new AbortController() : null;
    var options = { credentials: 'same-origin' };
    if (controller) options.signal = controller.signal;
    exportAbort = controller;
    fetch(href, options).then(function (resp) {
      if (seq !== exportSeq) return null;  // another export was asked for meanwhile
      if (resp.status === 503 && attempt < EXPORT_TRIES && resp.headers.get('Retry-After')) {
        var wait = Math.min(10, Math.max(1, Number(resp.headers.get('Retry-After')) || 3));
        exportRetry = setTimeout(function () {
          if (seq === exportSeq) downloadExport(href, seq, attempt + 1);
        }, wait * 1000);
        return null;
      }
      if (!resp.ok) {
        return resp.json().catch(function () { return null; }).then(function (body) {
          setExportStatus(exportErrorMessage(resp.status, body), true);
        });
      }
      return resp.blob().then(function (blob) {
        if (seq !== exportSeq) return;
        saveBlob(blob, fileNameFromDisposition(resp.headers.get('Content-Disposition')));
        setExportStatus('', false);
      });
    }).catch(function () {  // an abort by a newer click says nothing: that one speaks
      if (seq === exportSeq) {
        setExportStatus('Не удалось скачать файл: нет связи с сервером. Попробуйте ещё раз.', true);
      }
    });
  }

  function exportErrorMessage(status, body) {
    var text = body && typeof body.description === 'string' ? body.description : '';
    if (status === 503 && text) return 'Файл не скачан: ' + text + '.';
    if (status === 400 && /[а-яё]/i.test(text)) return 'Файл не скачан: ' + text + '.';
    return 'Файл не скачан: ошибка сервера (код ' + status + '). Попробуйте позже.';
  }

  /** The file name of a Content-Disposition header (its UTF-8 filename* first). */
  function fileNameFromDisposition(header) {
    var value = String(header || '');
    var utf = /filename\*=UTF-8''([^;]+)/i.exec(value);
    if (utf) {
      try { return decodeURIComponent(utf[1]); } catch (e) { /* the plain name below */ }
    }
    var plain = /filename="?([^";]+)"?/i.exec(value);
    return plain ? plain[1] : 'kartoteka';
  }

  function saveBlob(blob, name) {
    var url = URL.createObjectURL(blob);
    var link = document.createElement('a');
    link.href = url;
    link.download = name;
    link.hidden = true;
    document.body.appendChild(link);
    link.click();
    document.body.removeChild(link);
    setTimeout(function () { URL.revokeObjectURL(url); }, 60000);
  }

  function setExportStatus(message, failed) {
    var status = $('export-status');
    status.textContent = message;
    status.classList.toggle('export-failed', !!failed);
    show(status, Boolean(message));
  }

  /** A link to another search: its address for a new tab, this page's search on a click. */
  function stateLink(className, text, next) {
    var link = el('a', className, text);
    link.href = BASE + '/?' + paramsFromState(next).toString();
    link.addEventListener('click', function (event) {
      if (isModifiedClick(event)) return;
      event.preventDefault();
      navigate(next, true);
    });
    return link;
  }

  function isModifiedClick(event) {
    return event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey;
  }

  // ---------------------------------------------------------------------
  // Filter actions
  // ---------------------------------------------------------------------

  function toggleFilter(key, value) {
    var next = cloneState(current);
    var kept = next[key].filter(function (v) { return facetKey(v) !== facetKey(value); });
    if (kept.length < next[key].length) next[key] = kept;  // however the URL spelled it
    else next[key].push(value);
    next.page = 1;
    navigate(next, true);
  }

  function addFilter(key, value) {
    if (current[key].some(function (v) { return facetKey(v) === facetKey(value); })) return;
    toggleFilter(key, value);
  }

  function resetFilters() {
    var next = emptyState();
    next.q = current.q;
    next.sort = current.sort;
    next.perPage = current.perPage;
    navigate(next, true);
    $('from').focus();  // the button hides itself; focus stays in the filters
  }

  // ---------------------------------------------------------------------
  // Suggestions (combobox)
  // ---------------------------------------------------------------------

  var SUGGEST_DELAY_MS = 150;
  var suggestTimer = null;
  var suggestSeq = 0;
  var suggestAbort = null;
  var suggestItems = [];
  var activeIndex = -1;

  function onQueryInput() {
    clearTimeout(suggestTimer);
    var text = $('q').value.trim();
    if (!text) {
      cancelSuggest();
      hideSuggestions();
      return;
    }
    suggestTimer = setTimeout(function () { fetchSuggestions(text); }, SUGGEST_DELAY_MS);
  }

  function cancelSuggest() {
    clearTimeout(suggestTimer);
    suggestSeq++;
    if (suggestAbort) suggestAbort.abort();
    suggestAbort = null;
  }

  function fetchSuggestions(text) {
    if (suggestAbort) suggestAbort.abort();
    var seq = ++suggestSeq;
    var controller = typeof AbortController === 'function' ? new AbortController() : null;
    suggestAbort = controller;
    fetch(BASE + '/api/suggest?' + new URLSearchParams({ q: text }).toString(), {
      headers: { Accept: 'application/json' },
      credentials: 'same-origin',
      signal: controller ? controller.signal : undefined
    })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (seq !== suggestSeq) return;
        if (document.activeElement !== $('q')) return;
        var items = data && Array.isArray(data.suggestions) ? data.suggestions : [];
        renderSuggestions(items.filter(function (s) { return s && s.text; }));
      })
      .catch(function () { /* suggestions are optional */ });
  }

  function renderSuggestions(items) {
    var list = $('suggestions');
    clear(list);
    suggestItems = items;
    activeIndex = -1;
    $('q').removeAttribute('aria-activedescendant');
    if (!items.length) {
      hideSuggestions();
      return;
    }
    items.forEach(function (item, index) {
      var li = el('li', 'suggestion suggestion-' + (item.kind === 'title' ? 'title' : 'word'));
      li.id = 'suggestion-' + index;
      li.setAttribute('role', 'option');
      li.setAttribute('aria-selected', 'false');
      li.setAttribute('data-index', String(index));
      li.setAttribute('data-kind', item.kind === 'title' ? 'title' : 'word');
      li.appendChild(el('span', 'suggestion-text', item.text));
      if (item.kind === 'title') {
        li.appendChild(el('span', 'suggestion-kind', 'публикация'));
        li.title = 'Открыть публикацию';
      }
      li.addEventListener('click', function () { chooseSuggestion(index); });
      list.appendChild(li);
    });
    show(list, true);
    $('q').setAttribute('aria-expanded', 'true');
  }

  function hideSuggestions() {
    var list = $('suggestions');
    if (!list) return;
    show(list, false);
    clear(list);
    suggestItems = [];
    activeIndex = -1;
    $('q').setAttribute('aria-expanded', 'false');
    $('q').removeAttribute('aria-activedescendant');
  }

  function setActiveSuggestion(index) {
    var options = $('suggestions').querySelectorAll('.suggestion');
    if (!options.length) return;
    if (index < -1) index = options.length - 1;
    if (index >= options.length) index = -1;
    activeIndex = index;
    Array.prototype.forEach.call(options, function (option, i) {
      var active = i === index;
      option.classList.toggle('active', active);
      option.setAttribute('aria-selected', active ? 'true' : 'false');
    });
    if (index >= 0) {
      $('q').setAttribute('aria-activedescendant', options[index].id);
      options[index].scrollIntoView({ block: 'nearest' });
    } else {
      $('q').removeAttribute('aria-activedescendant');
    }
  }

  /** A publication opens its page; a word is searched for. */
  function chooseSuggestion(index) {
    var item = suggestItems[index];
    if (!item) return;
    cancelSuggest();
    hideSuggestions();
    if (item.kind === 'title' && item.id) {
      location.assign(publicationHref(item.id, true));
      return;
    }
    $('q').value = item.text;
    submitQuery();
  }

  function onQueryKeydown(event) {
    var open = !$('suggestions').hidden;
    switch (event.key) {
      case 'ArrowDown':
        if (!open) return;
        event.preventDefault();
        setActiveSuggestion(activeIndex + 1);
        break;
      case 'ArrowUp':
        if (!open) return;
        event.preventDefault();
        setActiveSuggestion(activeIndex - 1);
        break;
      case 'Enter':
        if (open && activeIndex >= 0) {
          event.preventDefault();
          chooseSuggestion(activeIndex);
        }
        break;
      case 'Escape':
        if (open) {
          event.preventDefault();
          cancelSuggest();
          hideSuggestions();
        }
        break;
      case 'Tab':  // on to the button, the list closed (it had taken the focus and lost it)
        if (open) {
          cancelSuggest();
          hideSuggestions();
        }
        break;
      default:
        break;
    }
  }

  // ---------------------------------------------------------------------
  // Wiring
  // ---------------------------------------------------------------------

  function submitQuery() {
    cancelSuggest();
    hideSuggestions();
    // dates typed but not yet applied go with the query; a wrong one stops it, as typed
    var from = parseDateRu($('from').value);
    var to = parseDateRu($('to').value);
    if (from === null || to === null) {
      showDateProblem(from, to, true);
      return;
    }
    var next = cloneState(current);
    next.q = $('q').value.trim();
    next.from = from;
    next.to = to;
    next.page = 1;
    navigate(next, true);
    // on a phone the on-screen keyboard covered the first results
    if (window.matchMedia && window.matchMedia('(pointer: coarse)').matches) $('q').blur();
  }

  /** Dates are typed as дд.мм.гггг whatever the browser's locale; the URL and API get ISO. */
  function onDateChange() {
    var from = parseDateRu($('from').value);
    var to = parseDateRu($('to').value);
    if (from === null || to === null) {
      showDateProblem(from, to);
      return;
    }
    setDateError('');
    if (from === current.from && to === current.to) {
      syncControls(current);
      return;
    }
    var next = cloneState(current);
    next.from = from;
    next.to = to;
    next.page = 1;
    navigate(next, true);
  }

  /** A date field that cannot be read: said, and the list below said to be the one
   *  before it (nothing is searched until both dates can be read). */
  function showDateProblem(from, to, submitted) {
    $('from').setAttribute('aria-invalid', from === null ? 'true' : 'false');
    $('to').setAttribute('aria-invalid', to === null ? 'true' : 'false');
    var shown = '';
    if (!current.q && !hasFilters(current)) shown = '';  // no list yet
    else if (submitted) shown = ' Список ниже — по прежнему поиску.';
    else if (current.from || current.to) {
      shown = ' Список ниже — за прежний период (' + periodText(current) + ').';
    } else shown = ' Список ниже — пока без учёта дат.';
    setDateError(dateProblem(from === null ? $('from').value : $('to').value) + shown);
  }

  function periodText(state) {
    if (state.from && state.to) {
      return 'с ' + formatDateInput(state.from) + ' по ' + formatDateInput(state.to);
    }
    return state.from ? 'с ' + formatDateInput(state.from) : 'по ' + formatDateInput(state.to);
  }

  function setDateError(message) {
    $('date-error').textContent = message;
    show($('date-error'), Boolean(message));
    // the fields name the error as well as the format (a screen reader on the field)
    ['from', 'to'].forEach(function (id) {
      $(id).setAttribute('aria-describedby', message ? 'date-hint date-error' : 'date-hint');
    });
    if (!message) {
      $('from').removeAttribute('aria-invalid');
      $('to').removeAttribute('aria-invalid');
    }
  }

  function onDateKeydown(event) {
    if (event.key === 'Enter') {
      event.preventDefault();
      onDateChange();
    }
  }

  function onSortChange() {
    var next = cloneState(current);
    next.sort = $('sort').value;
    next.page = 1;
    navigate(next, true);
  }

  /** On a phone the filter panel covers the results: after a tick it closes, and the
   * focus goes to its button, right above the new count and results. */
  function closeFiltersOnPhone() {
    var toggle = $('filters-toggle');
    if (!$('facets').classList.contains('open') || getComputedStyle(toggle).display === 'none') {
      return;
    }
    $('facets').classList.remove('open');
    toggle.setAttribute('aria-expanded', 'false');
    facetFocus = null;
    toggle.focus();
    toggle.scrollIntoView({ block: 'start' });
  }

  function toggleFiltersPanel() {
    var facets = $('facets');
    var open = !facets.classList.contains('open');
    facets.classList.toggle('open', open);
    $('filters-toggle').setAttribute('aria-expanded', open ? 'true' : 'false');
  }

  /** The filters button says how many filters narrow the list («Фильтры (2)»): on a
   *  phone the panel is closed, and nothing else showed that the list was narrowed. */
  function updateFiltersToggle(state) {
    var count = FACET_KEYS.reduce(function (n, key) { return n + state[key].length; }, 0) +
      (state.from || state.to ? 1 : 0);
    $('filters-toggle').textContent = count ? 'Фильтры (' + count + ')' : 'Фильтры';
  }

  // ---------------------------------------------------------------------
  // The publication page's way back (this script is on it when it was opened from here)
  // ---------------------------------------------------------------------

  /** «← К поиску» is the browser's Back when the page before is this site's search page:
   *  it comes back as it was, its results, scroll and focus (the link began a new search
   *  page, the focus on its body). Otherwise (a new tab, a link from elsewhere) the link. */
  function initWayBack(link) {
    link.addEventListener('click', function (event) {
      if (isModifiedClick(event) || !cameFromSearch(link)) return;
      event.preventDefault();
      history.back();
    });
  }

  /** The page this tab came from is the search page the link leads to. */
  function cameFromSearch(link) {
    if (history.length < 2 || !document.referrer) return false;
    try {
      var from = new URL(document.referrer);
      var to = new URL(link.href);
      return from.origin === to.origin && from.pathname === to.pathname;
    } catch (e) {
      return false;
    }
  }

  function start() {
    var wayBack = document.querySelector('.back-link a');
    if ($('search-form')) init();
    else if (wayBack) initWayBack(wayBack);
  }

  function loadFromLocation() {
    navigate(stateFromParams(new URLSearchParams(location.search)), false);
  }

  function init() {
    $('search-form').addEventListener('submit', function (event) {
      event.preventDefault();
      submitQuery();
    });
    var q = $('q');
    q.addEventListener('input', onQueryInput);
    q.addEventListener('keydown', onQueryKeydown);
    q.addEventListener('blur', function () {
      // Delay so a click on a suggestion still lands.
      setTimeout(function () {
        if (document.activeElement !== q) { cancelSuggest(); hideSuggestions(); }
      }, 150);
    });
    // Keep focus in the input when pressing on a suggestion.
    $('suggestions').addEventListener('mousedown', function (event) { event.preventDefault(); });

    ['from', 'to'].forEach(function (id) {
      $(id).addEventListener('change', onDateChange);
      $(id).addEventListener('keydown', onDateKeydown);
    });
    $('sort').addEventListener('change', onSortChange);
    $('export').addEventListener('click', onExportClick);
    $('export-xlsx').addEventListener('click', onExportClick);
    $('filters-toggle').addEventListener('click', toggleFiltersPanel);
    // Escape closes the filter panel on a phone, back to its button
    $('facets').addEventListener('keydown', function (event) {
      if (event.key !== 'Escape' || !$('facets').classList.contains('open')) return;
      toggleFiltersPanel();
      $('filters-toggle').focus();
    });
    $('reset-filters').addEventListener('click', resetFilters);
    $('home-link').addEventListener('click', function (event) {
      if (isModifiedClick(event)) return;
      event.preventDefault();
      navigate(emptyState(), true);
    });

    window.addEventListener('popstate', loadFromLocation);
    loadFromLocation();
  }

  var api = {
    formatDateRu: formatDateRu,
    pluralRu: pluralRu,
    decodeEntities: decodeEntities,
    parseSnippet: parseSnippet,
    hitHref: hitHref,
    pageWindow: pageWindow,
    parseDateRu: parseDateRu,
    fileNameFromDisposition: fileNameFromDisposition,
    formatDateInput: formatDateInput
  };

  if (typeof module !== 'undefined' && module.exports) {
    module.exports = api;
  } else if (typeof window !== 'undefined') {
    window.Kartoteka = api;
    if (document.readyState === 'loading') {
      document.addEventListener('DOMContentLoaded', start);
    } else {
      start();
    }
  }
})();
