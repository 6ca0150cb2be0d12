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

  /** Only http(s) URLs are linked directly; everything else goes to our API. */
  function hitHref(hit) {
    if (typeof hit.url === 'string' && /^https?:\/\//i.test(hit.url)) return hit.url;
    return '/api/publications/' + encodeURIComponent(hit.id);
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
    state.page = page > 0 ? page : 1;
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
    var url = '/' + (query ? '?' + query : '');
    if (push && url !== location.pathname + location.search) {
      history.pushState(null, '', url);
    }
    syncControls(state);
    runSearch(state);
  }

  function syncControls(state) {
    $('q').value = state.q;
    $('from').value = state.from;
    $('to').value = state.to;
    $('sort').value = effectiveSort(state);
    document.title = state.q
      ? '«' + state.q + '» — Картотека'
      : 'Картотека — поиск по публикациям библиотек';
  }

  function runSearch(state) {
    if (searchAbort) searchAbort.abort();
    searchAbort = null;
    hideSuggestions();

    if (!state.q && !hasFilters(state)) {
      renderWelcome();
      return;
    }

    var seq = ++searchSeq;
    var controller = typeof AbortController === 'function' ? new AbortController() : null;
    searchAbort = controller;
    setLoading(true);

    fetch('/api/search?' + apiParams(state).toString(), {
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

  function errorMessage(result) {
    var body = result.body;
    if (body && typeof body.description === 'string' && body.description) return body.description;
    if (body && typeof body.title === 'string' && body.title) return body.title;
    return 'Ошибка сервера (код ' + result.status + '). Попробуйте позже.';
  }

  function setLoading(loading) {
    var results = $('results');
    results.setAttribute('aria-busy', loading ? 'true' : 'false');
    results.classList.toggle('is-loading', loading);
  }

  // ---------------------------------------------------------------------
  // Rendering
  // ---------------------------------------------------------------------

  function resetResultArea() {
    clear($('hits'));
    clear($('notices'));
    clear($('pager'));
    show($('pager'), false);
    show($('error'), false);
    show($('empty'), false);
    show($('welcome'), false);
    $('status').textContent = '';
  }

  function renderWelcome() {
    setLoading(false);
    resetResultArea();
    clear($('facet-lists'));
    show($('welcome'), true);
    show($('export'), false);
    show($('export-xlsx'), false);
    show($('reset-filters'), false);
  }

  function renderError(message) {
    resetResultArea();
    $('error').textContent = message;
    show($('error'), true);
    show($('export'), false);
    show($('export-xlsx'), false);
  }

  function renderResults(state, data) {
    resetResultArea();
    var total = Number(data.total) || 0;
    var hits = Array.isArray(data.hits) ? data.hits : [];

    $('status').textContent = 'Найдено: ' + total + ' ' +
      pluralRu(total, ['публикация', 'публикации', 'публикаций']);

    renderNotices(state, data);
    renderFacets(state, data.facets || {});

    if (hits.length === 0) {
      show($('empty'), true);
    } else {
      var list = $('hits');
      hits.forEach(function (hit) { list.appendChild(renderHit(hit)); });
    }

    renderPager(state, data, total);
    updateExport(state, total);
    show($('reset-filters'), hasFilters(state));
  }

  function renderNotices(state, data) {
    var box = $('notices');
    if (data.corrected && data.did_you_mean) {
      var corrected = el('p', 'notice corrected');
      corrected.appendChild(document.createTextNode('Показаны результаты по запросу «'));
      corrected.appendChild(el('strong', null, data.did_you_mean));
      corrected.appendChild(document.createTextNode('»'));
      box.appendChild(corrected);
    } else if (data.did_you_mean) {
      var suggestion = el('p', 'notice did-you-mean-line');
      suggestion.appendChild(document.createTextNode('Возможно, вы имели в виду: '));
      var next = cloneState(state);
      next.q = data.did_you_mean;
      next.page = 1;
      var link = el('a', 'did-you-mean', data.did_you_mean);
      link.href = '/?' + paramsFromState(next).toString();
      link.addEventListener('click', function (event) {
        if (isModifiedClick(event)) return;
        event.preventDefault();
        navigate(next, true);
      });
      suggestion.appendChild(link);
      box.appendChild(suggestion);
    }
    if (data.relaxed) {
      box.appendChild(el('p', 'notice relaxed',
        'Не найдено документов со всеми словами; показаны частичные совпадения'));
    }
    (Array.isArray(data.warnings) ? data.warnings : []).forEach(function (warning) {
      box.appendChild(el('p', 'notice warning', warning));
    });
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
        button.addEventListener('click', function () { addFilter('topic', topic); });
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
  }

  /** Keep selected values visible even if the server no longer lists them. */
  function mergeSelected(values, selected) {
    var list = Array.isArray(values) ? values.slice() : [];
    var seen = {};
    list.forEach(function (v) { seen[String(v.value)] = true; });
    selected.forEach(function (value) {
      if (!seen[value]) list.unshift({ value: value, count: 0, selected: true });
    });
    return list.map(function (v) {
      return {
        value: String(v.value),
        count: Number(v.count) || 0,
        selected: selected.indexOf(String(v.value)) >= 0
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
        section.parentNode.replaceChild(renderFacetGroup(facet, values), section);
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
    button.appendChild(el('span', 'facet-label', v.value));
    button.appendChild(el('span', 'facet-count', v.count));
    button.addEventListener('click', function () { toggleFilter(key, v.value); });
    item.appendChild(button);
    return item;
  }

  function renderPager(state, data, total) {
    var pager = $('pager');
    var perPage = Number(data.per_page) || Number(state.perPage) || 10;
    var page = Number(data.page) || state.page;
    var pages = Math.ceil(total / perPage);
    if (pages <= 1) return;

    pager.appendChild(pagerLink(state, page - 1, 'Назад', 'pager-prev', page <= 1, 'Предыдущая страница'));
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
    pager.appendChild(pagerLink(state, page + 1, 'Вперёд', 'pager-next', page >= pages, 'Следующая страница'));
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
    link.href = '/?' + paramsFromState(next).toString();
    link.setAttribute('data-page', String(page));
    link.setAttribute('aria-label', label);
    link.addEventListener('click', function (event) {
      if (isModifiedClick(event)) return;
      event.preventDefault();
      navigate(next, true);
      $('results').scrollIntoView({ block: 'start' });
    });
    return link;
  }

  function updateExport(state, total) {
    ['csv', 'xlsx'].forEach(function (format) {
      var params = apiParams(state, { withPaging: false });
      params.set('format', format);
      var link = $(format === 'csv' ? 'export' : 'export-xlsx');
      link.href = '/api/export?' + params.toString();
      show(link, total > 0);
    });
  }

  function isModifiedClick(event) {
    return event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey;
  }

  // ---------------------------------------------------------------------
  // Filter actions
  // ---------------------------------------------------------------------

  function toggleFilter(key, value) {
    var next = cloneState(current);
    var index = next[key].indexOf(value);
    if (index >= 0) next[key].splice(index, 1);
    else next[key].push(value);
    next.page = 1;
    navigate(next, true);
  }

  function addFilter(key, value) {
    if (current[key].indexOf(value) >= 0) return;
    toggleFilter(key, value);
  }

  function resetFilters() {
    var next = emptyState();
    next.q = current.q;
    next.sort = current.sort;
    next.perPage = current.perPage;
    navigate(next, true);
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
    fetch('/api/suggest?' + new URLSearchParams({ q: text }).toString(), {
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
      if (item.kind === 'title') li.appendChild(el('span', 'suggestion-kind', 'публикация'));
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

  function chooseSuggestion(index) {
    var item = suggestItems[index];
    if (!item) return;
    cancelSuggest();
    hideSuggestions();
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
    var next = cloneState(current);
    next.q = $('q').value.trim();
    next.page = 1;
    navigate(next, true);
  }

  function onDateChange() {
    var next = cloneState(current);
    next.from = $('from').value;
    next.to = $('to').value;
    next.page = 1;
    navigate(next, true);
  }

  function onSortChange() {
    var next = cloneState(current);
    next.sort = $('sort').value;
    next.page = 1;
    navigate(next, true);
  }

  function toggleFiltersPanel() {
    var facets = $('facets');
    var open = !facets.classList.contains('open');
    facets.classList.toggle('open', open);
    $('filters-toggle').setAttribute('aria-expanded', open ? 'true' : 'false');
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

    $('from').addEventListener('change', onDateChange);
    $('to').addEventListener('change', onDateChange);
    $('sort').addEventListener('change', onSortChange);
    $('filters-toggle').addEventListener('click', toggleFiltersPanel);
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
    pageWindow: pageWindow
  };

  if (typeof module !== 'undefined' && module.exports) {
    module.exports = api;
  } else if (typeof window !== 'undefined') {
    window.Kartoteka = api;
    if (document.readyState === 'loading') {
      document.addEventListener('DOMContentLoaded', init);
    } else {
      init();
    }
  }
})();
