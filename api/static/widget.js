/*
 * Картотека — embeddable search widget.
 *
 *   <div id="kartoteka"></div>
 *   <script src="https://search.host/widget.js" data-target="#kartoteka"
 *           data-per-page="5" defer></script>
 *
 * Self-contained: no globals, CSS classes prefixed with "kartoteka-",
 * API base derived from this script's own src (its path too: a service
 * published under /search/ is called there). It lives in the shadow root of a
 * <kartoteka-search> element: the site's rules (`#sidebar li {border-bottom}`,
 * `input {border: … !important}`, `time {font-style: italic}`) do not reach it.
 */
(function () {
  'use strict';

  var script = document.currentScript || findOwnScript();
  if (!script) return;

  var BASE = apiBase(script);
  var PER_PAGE = clampInt(script.getAttribute('data-per-page'), 1, 50, 5);
  // A server that takes the connection and never answers: said after this many seconds
  // (it had shown «Ищем…» until the browser gave up, minutes later).
  var TIMEOUT_MS = 1000 * clampInt(script.getAttribute('data-timeout'), 1, 120, 15);
  var NARROW_PX = 360;
  var HOST = 'kartoteka-search';
  // Defined (it does nothing more), so that a site's `:not(:defined) {visibility: hidden}`,
  // a common rule for pages with web components, does not hide it.
  if (window.customElements && !window.customElements.get(HOST)) {
    window.customElements.define(HOST, class extends HTMLElement {});
  }
  var SUGGEST_DELAY_MS = 150;
  var STYLE_ID = 'kartoteka-widget-style';
  var uid = 'kartoteka-' + Math.random().toString(36).slice(2, 8);

  // ---------------------------------------------------------------------
  // Helpers (duplicated from app.js on purpose: the widget is standalone)
  // ---------------------------------------------------------------------

  var MONTHS_GENITIVE = [
    'января', 'февраля', 'марта', 'апреля', 'мая', 'июня',
    'июля', 'августа', 'сентября', 'октября', 'ноября', 'декабря'
  ];

  function formatDateRu(iso) {
    if (!iso) return '';
    var m = /^(\d{4})-(\d{2})-(\d{2})/.exec(String(iso));
    if (!m) return '';
    var month = parseInt(m[2], 10);
    var day = parseInt(m[3], 10);
    if (month < 1 || month > 12 || day < 1 || day > 31) return '';
    return day + ' ' + MONTHS_GENITIVE[month - 1] + ' ' + m[1];
  }

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

  /** Text nodes + <mark> elements; never innerHTML. */
  function buildSnippet(snippet) {
    var frag = document.createDocumentFragment();
    var inMark = false;
    String(snippet || '').split(/(<mark>|<\/mark>)/i).forEach(function (piece) {
      var tag = piece.toLowerCase();
      if (tag === '<mark>') { inMark = true; return; }
      if (tag === '</mark>') { inMark = false; return; }
      if (!piece) return;
      var text = decodeEntities(piece);
      if (inMark) frag.appendChild(el('mark', 'kartoteka-mark', text));
      else frag.appendChild(document.createTextNode(text));
    });
    return frag;
  }

  function hitHref(hit) {
    if (typeof hit.url === 'string' && /^https?:\/\//i.test(hit.url)) return hit.url;
    return publicationHref(hit.id);
  }

  /** A publication's page here, with the way back to this page of the library's site
   *  (shown there when the site is among the service's KARTOTEKA_CORS_ORIGINS). */
  function publicationHref(id) {
    return BASE + '/p/' + encodeURIComponent(String(id)) + '?' +
      new URLSearchParams({ 'return': location.href }).toString();
  }

  /** Why a corrected query is shown, by the API's `correction` (as on the search page):
   *  what precedes «Показаны результаты по запросу …» and what follows the query there. */
  function correctionWords(kind, query) {
    if (kind === 'layout') return ['Запрос «' + query + '» набран в английской раскладке. ', ''];
    if (kind === 'latin') return ['Запрос «' + query + '» набран латиницей. ', ''];
    if (kind === 'beginning') return ['В запросе «' + query + '» слово не дописано. ', ' (звёздочка — любое продолжение слова)'];
    return ['Похоже, в запросе «' + query + '» опечатка. ', ''];
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  function clampInt(value, min, max, fallback) {
    var n = parseInt(value, 10);
    if (!isFinite(n)) return fallback;
    return Math.min(max, Math.max(min, n));
  }

  function findOwnScript() {
    var scripts = document.getElementsByTagName('script');
    for (var i = scripts.length - 1; i >= 0; i--) {
      if (/\/widget\.js(\?|#|$)/.test(scripts[i].src || '')) return scripts[i];
    }
    return null;
  }

  /** Where the service is: this script's address without "/widget.js", or
   *  data-api-base; a path kept (a service published at https://library.ru/search). */
  function apiBase(node) {
    var override = node.getAttribute('data-api-base');
    try {
      var url = new URL(override || node.src, document.baseURI);
      return url.origin + url.pathname.replace(/\/widget\.js$/, '').replace(/\/+$/, '');
    } catch (e) {
      return '';
    }
  }

  function getJson(path, params, signal) {
    var url = BASE + path + '?' + new URLSearchParams(params).toString();
    return fetch(url, {
      mode: 'cors',
      credentials: 'omit',
      headers: { Accept: 'application/json' },
      signal: signal
    }).then(function (response) {
      return response.json().catch(function () { return null; }).then(function (body) {
        return { ok: response.ok, status: response.status, body: body };
      });
    });
  }

  function newController() {
    return typeof AbortController === 'function' ? new AbortController() : null;
  }

  // ---------------------------------------------------------------------
  // Styles (inside the widget's shadow root; prefixed too, for a browser without one)
  // ---------------------------------------------------------------------

  var CSS = [
    // The host element starts from the initial values, not the site's inherited ones,
    // whatever the site's rules on it (`#site *{font-style:italic}`, even !important:
    // the shadow root's own important rules come last).
    ':host{all:initial !important;display:block !important;}',
    // A card of its own colours: on a dark site, dark text on no background was unreadable.
    '.kartoteka-widget{box-sizing:border-box;font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;font-size:15px;line-height:1.45;color:#1f2328;background:#fff;color-scheme:light;padding:12px;border-radius:10px;max-width:640px;text-indent:0;}',
    '.kartoteka-widget *,.kartoteka-widget *::before,.kartoteka-widget *::after{box-sizing:border-box;}',
    '.kartoteka-widget [hidden]{display:none !important;}',
    // The host page's element rules (`p, div {color: red}`) do not reach in: its own
    // elements inherit from the root, and its classes come after, more specific.
    '.kartoteka-widget :is(p,div,span,ul,ol,li,a,mark,small,strong,em,label,form,time,h1,h2,h3,h4,h5,h6){color:inherit;font-family:inherit;font-size:inherit;line-height:inherit;letter-spacing:normal;text-transform:none;text-align:start;text-indent:0;}',
    // a host page's rules for every div, input, first letter or link (even !important)
    '.kartoteka-widget :is(div,span,form,label){padding:0;margin:0;border:0;}',
    '.kartoteka-widget *::first-letter,.kartoteka-widget *::first-line{font:inherit;color:inherit;float:none;margin:0;padding:0;text-transform:none;letter-spacing:inherit;}',
    '.kartoteka-widget :is(input,button),.kartoteka-widget input::placeholder{font-family:inherit;letter-spacing:normal;text-transform:none;text-indent:0;}',
    // nor its decorations (`main ul li::before {content: "— "}`, counters, capitals on buttons)
    '.kartoteka-widget *::before,.kartoteka-widget *::after{content:none !important;}',
    '.kartoteka-widget :is(ul,ol,li){list-style:none;counter-increment:none;}',
    '.kartoteka-widget .kartoteka-button{text-transform:none;letter-spacing:normal;}',
    '.kartoteka-widget .kartoteka-sr{position:absolute;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0;}',
    '.kartoteka-widget .kartoteka-form{display:flex;gap:8px;margin:0;}',
    '.kartoteka-widget .kartoteka-box{position:relative;flex:1 1 auto;}',
    '.kartoteka-widget .kartoteka-input{width:100%;height:40px;margin:0;padding:0 12px;font:inherit;color:#1f2328;background:#fff;border:1px solid #80868e;border-radius:8px;}',
    '.kartoteka-widget .kartoteka-input:focus{outline:2px solid #2f5d8a;outline-offset:1px;border-color:#2f5d8a;}',
    '.kartoteka-widget :is(.kartoteka-button,.kartoteka-link,.kartoteka-title,.kartoteka-all):focus-visible{outline:2px solid #2f5d8a;outline-offset:2px;}',
    '.kartoteka-widget :is(.kartoteka-status,.kartoteka-notice,.kartoteka-snippet,.kartoteka-title,.kartoteka-suggestion){overflow-wrap:anywhere;}',
    // a transparent border, which forced colours (Windows high contrast) draw: it had been
    // a bare word there, its background dropped
    '.kartoteka-widget .kartoteka-button{height:40px;margin:0;padding:0 16px;font:inherit;font-weight:600;color:#fff;background:#2f5d8a;border:1px solid transparent;border-radius:8px;cursor:pointer;}',
    '.kartoteka-widget .kartoteka-button:hover{background:#234a70;}',
    '.kartoteka-widget .kartoteka-suggestions{position:absolute;left:0;right:0;top:calc(100% + 4px);z-index:1000;margin:0;padding:4px 0;list-style:none;background:#fff;border:1px solid #dcd9d0;border-radius:8px;box-shadow:0 4px 14px rgba(0,0,0,.08);max-height:min(280px,60vh);overflow-y:auto;}',
    '.kartoteka-widget .kartoteka-suggestion{display:flex;justify-content:space-between;gap:10px;margin:0;padding:7px 12px;cursor:pointer;}',
    '.kartoteka-widget .kartoteka-suggestion:hover{background:#e7eef6;}',
    // The option the arrows are on: a bar of the accent (6.9:1 on white) and a stronger
    // background; the background alone (1.17:1) was all but invisible.
    '.kartoteka-widget .kartoteka-suggestion.kartoteka-active{background:#d5e2f0;box-shadow:inset 4px 0 0 #2f5d8a;}',
    '.kartoteka-widget .kartoteka-suggestion-kind{flex:none;white-space:nowrap;color:#5f6670;font-size:.8em;align-self:center;}',
    '.kartoteka-widget .kartoteka-suggestion-text{flex:1 1 auto;min-width:0;overflow:hidden;display:-webkit-box;-webkit-box-orient:vertical;-webkit-line-clamp:2;}',
    // A narrow column (a site's sidebar, 200-360 px; NARROW_PX): the button under the box,
    // so that the box and its suggestions take the whole width, and a title above its
    // «публикация» (beside it, a title had 0-7 px in a 230 px sidebar). A class the widget
    // sets as its width changes, not a container query: that made the card as narrow as
    // its padding in a flex row or a float, which size it by its content.
    '.kartoteka-narrow .kartoteka-form{flex-wrap:wrap;}',
    '.kartoteka-narrow .kartoteka-box,.kartoteka-narrow .kartoteka-button{flex:1 1 100%;}',
    '.kartoteka-narrow .kartoteka-suggestion{flex-direction:column;gap:0;}',
    '.kartoteka-narrow .kartoteka-suggestion-kind{align-self:flex-start;}',
    '.kartoteka-widget .kartoteka-status{margin:10px 0 6px;color:#5f6670;font-size:.9em;}',
    '.kartoteka-widget .kartoteka-status:empty{display:none;}',
    '.kartoteka-widget .kartoteka-notice{margin:0 0 8px;padding:6px 10px;background:#fff7e0;border-radius:6px;font-size:.9em;}',
    '.kartoteka-widget .kartoteka-partial-label{margin:12px 0 6px;padding-top:8px;border-top:1px dashed #c9ced4;color:#5f6670;font-size:.9em;}',
    '.kartoteka-widget .kartoteka-error{color:#8a1f1f;}',
    '.kartoteka-widget .kartoteka-results{margin:0;padding:0;list-style:none;}',
    '.kartoteka-widget .kartoteka-hit{margin:0;padding:10px 0;border-bottom:1px solid #e6e3da;}',
    '.kartoteka-widget .kartoteka-hit:last-child{border-bottom:0;}',
    '.kartoteka-widget .kartoteka-title{font-weight:600;color:#2f5d8a !important;text-decoration:none;}',
    '.kartoteka-widget .kartoteka-title:hover{text-decoration:underline;}',
    '.kartoteka-widget .kartoteka-date{display:block;color:#5f6670;font-size:.85em;}',
    '.kartoteka-widget .kartoteka-snippet{margin:4px 0 0;}',
    '.kartoteka-widget .kartoteka-mark{background:#fbe7a1;color:inherit;padding:0 1px;border-radius:2px;}',
    '.kartoteka-widget .kartoteka-all{display:inline-block;min-height:24px;line-height:24px;margin-top:8px;color:#2f5d8a !important;font-weight:600;text-decoration:none;}',
    '.kartoteka-widget .kartoteka-all:hover{text-decoration:underline;}',
    '.kartoteka-widget .kartoteka-link{color:#2f5d8a !important;}',
    // data-theme="dark" (or "auto" on a browser set to dark): the same card in dark colours
    '.kartoteka-widget.kartoteka-dark{color:#e3e6ea;background:#1d2126;color-scheme:dark;}',
    '.kartoteka-dark .kartoteka-input{color:#e3e6ea;background:#2a3038;border-color:#818b98;}',
    '.kartoteka-dark .kartoteka-suggestions{background:#2a3038;border-color:#4a525c;}',
    '.kartoteka-dark .kartoteka-suggestion:hover{background:#34414f;}',
    '.kartoteka-dark .kartoteka-suggestion.kartoteka-active{background:#3a4d62;box-shadow:inset 4px 0 0 #8fb8e3;}',
    '.kartoteka-dark :is(.kartoteka-suggestion-kind,.kartoteka-status,.kartoteka-date,.kartoteka-partial-label){color:#a9b1ba;}',
    '.kartoteka-dark .kartoteka-notice{background:#3b3421;}',
    '.kartoteka-dark .kartoteka-error{color:#f0a0a0;}',
    '.kartoteka-dark .kartoteka-hit{border-bottom-color:#39404a;}',
    '.kartoteka-widget.kartoteka-dark :is(.kartoteka-title,.kartoteka-all,.kartoteka-link){color:#8fb8e3 !important;}',
    '.kartoteka-dark .kartoteka-mark{background:#6a5819;}',
    '.kartoteka-widget.kartoteka-dark :is(.kartoteka-input:focus,.kartoteka-button:focus-visible,.kartoteka-link:focus-visible,.kartoteka-title:focus-visible,.kartoteka-all:focus-visible){outline-color:#8fb8e3;}',
    // Forced colours drop backgrounds and shadows: the option the arrows are on in the
    // system's own selection colours, as a native list shows it.
    '@media (forced-colors:active){.kartoteka-widget .kartoteka-suggestion.kartoteka-active{forced-color-adjust:none;background:Highlight;color:HighlightText;box-shadow:none;}.kartoteka-widget .kartoteka-suggestion.kartoteka-active .kartoteka-suggestion-kind{color:HighlightText;}}'
  ].join('\n');

  /*
   * Prefer a constructable stylesheet (pure CSSOM): it is not subject to the
   * host page's CSP style-src, so the widget stays styled even on pages with
   * a strict policy (including our own demo page). Fall back to a <style>
   * element with textContent on older browsers.
   */
  var STYLE_MARK = 'data-kartoteka-style';
  var sheet = null;  // one constructed stylesheet, shared by the widgets of a page

  /** The widget's styles into `root`: its shadow root, or the document without one. */
  function injectStyle(root) {
    if (root === document) {
      var html = document.documentElement;
      if (html.hasAttribute(STYLE_MARK) || document.getElementById(STYLE_ID)) return;
      html.setAttribute(STYLE_MARK, '1');
    }
    if (canAdoptStyles()) {
      try {
        if (!sheet) {
          sheet = new CSSStyleSheet();
          sheet.replaceSync(CSS);
        }
        root.adoptedStyleSheets = root.adoptedStyleSheets.concat([sheet]);
        return;
      } catch (e) { /* fall back below */ }
    }
    var style = document.createElement('style');
    style.id = STYLE_ID;
    style.textContent = CSS;
    (root === document ? document.head || document.documentElement : root).appendChild(style);
  }

  /** Whether `node` has the focus (inside a shadow root, the document's is its host). */
  function focused(node) {
    var root = typeof node.getRootNode === 'function' ? node.getRootNode() : document;
    return (root.activeElement || document.activeElement) === node;
  }

  function canAdoptStyles() {
    return typeof CSSStyleSheet === 'function' &&
      'adoptedStyleSheets' in document &&
      'replaceSync' in CSSStyleSheet.prototype;
  }

  // ---------------------------------------------------------------------
  // Widget
  // ---------------------------------------------------------------------

  /** data-theme: "light" (the default), "dark", or "auto" (as the visitor's browser is set). */
  function darkTheme() {
    var theme = (script.getAttribute('data-theme') || '').toLowerCase();
    if (theme === 'dark') return true;
    return theme === 'auto' && typeof window.matchMedia === 'function' &&
      window.matchMedia('(prefers-color-scheme: dark)').matches;
  }

  function resolveTarget() {
    var selector = script.getAttribute('data-target');
    if (selector) {
      try {
        var found = document.querySelector(selector);
        if (found) return found;
      } catch (e) { /* invalid selector: fall through */ }
    }
    var holder = document.createElement('div');
    if (script.parentNode) script.parentNode.insertBefore(holder, script.nextSibling);
    else document.body.appendChild(holder);
    return holder;
  }

  function buildUi(root) {
    var ui = {};
    var host = document.createElement(HOST);
    host.style.display = 'block';
    var inside = typeof host.attachShadow === 'function' ? host.attachShadow({ mode: 'open' }) : null;
    injectStyle(inside || document);
    ui.root = el('div', 'kartoteka-widget');
    ui.root.setAttribute('lang', 'ru');
    if (darkTheme()) ui.root.className += ' kartoteka-dark';

    ui.form = el('form', 'kartoteka-form');
    ui.form.setAttribute('role', 'search');
    ui.form.setAttribute('autocomplete', 'off');

    var label = el('label', 'kartoteka-sr', 'Поиск по публикациям библиотеки');
    label.htmlFor = uid + '-q';

    var box = el('div', 'kartoteka-box');
    ui.input = el('input', 'kartoteka-input');
    ui.input.type = 'search';
    ui.input.id = uid + '-q';
    ui.input.name = 'q';
    ui.input.maxLength = 500;  // the API's default KARTOTEKA_MAX_QUERY_LENGTH
    ui.input.setAttribute('role', 'combobox');
    ui.input.setAttribute('aria-autocomplete', 'list');
    ui.input.setAttribute('aria-expanded', 'false');
    ui.input.setAttribute('aria-controls', uid + '-suggestions');

    ui.suggestions = el('ul', 'kartoteka-suggestions');
    ui.suggestions.id = uid + '-suggestions';
    ui.suggestions.setAttribute('role', 'listbox');
    ui.suggestions.setAttribute('aria-label', 'Подсказки');
    ui.suggestions.tabIndex = -1;  // a scrolling list is a tab stop in Chromium: Tab lost focus
    ui.suggestions.hidden = true;

    box.appendChild(ui.input);
    box.appendChild(ui.suggestions);

    var button = el('button', 'kartoteka-button', 'Найти');
    button.type = 'submit';

    ui.form.appendChild(label);
    ui.form.appendChild(box);
    ui.form.appendChild(button);

    ui.status = el('p', 'kartoteka-status');
    ui.status.setAttribute('role', 'status');
    ui.status.setAttribute('aria-live', 'polite');
    ui.notices = el('div', 'kartoteka-notices');
    ui.results = el('ol', 'kartoteka-results');
    // Partial matches: a list of their own after a label outside any list (inside the
    // results, the label was read as one more of their items: «список, 8 пунктов»).
    ui.partialLabel = el('p', 'kartoteka-partial-label');
    ui.partialLabel.id = uid + '-partial';
    ui.partialLabel.hidden = true;
    ui.partial = el('ol', 'kartoteka-results kartoteka-partial');
    ui.partial.setAttribute('aria-labelledby', ui.partialLabel.id);
    ui.partial.hidden = true;
    ui.all = el('a', 'kartoteka-all', 'Все результаты');
    var arrow = el('span', null, ' →');
    arrow.setAttribute('aria-hidden', 'true');  // not read out as «стрелка вправо»
    ui.all.appendChild(arrow);
    ui.all.hidden = true;

    ui.root.appendChild(ui.form);
    ui.root.appendChild(ui.status);
    ui.root.appendChild(ui.notices);
    ui.root.appendChild(ui.results);
    ui.root.appendChild(ui.partialLabel);
    ui.root.appendChild(ui.partial);
    ui.root.appendChild(ui.all);
    (inside || host).appendChild(ui.root);
    root.appendChild(host);
    narrowWhenNarrow(ui.root, ui.input);
    return ui;
  }

  /** The narrow layout (kartoteka-narrow) while the card is under NARROW_PX wide, with a
   *  short placeholder: «Поиск по публикациям» was cut in a 216 px column (the label
   *  still says the whole). */
  function narrowWhenNarrow(card, input) {
    function fit() {
      var narrow = card.getBoundingClientRect().width < NARROW_PX;
      card.classList.toggle('kartoteka-narrow', narrow);
      input.placeholder = narrow ? 'Поиск' : 'Поиск по публикациям';
    }
    fit();
    if (typeof ResizeObserver === 'function') new ResizeObserver(fit).observe(card);
  }

  function createWidget(root) {
    var ui = buildUi(root);
    var searchSeq = 0;
    var searchAbort = null;
    var suggestSeq = 0;
    var suggestAbort = null;
    var suggestTimer = null;
    var suggestItems = [];
    var activeIndex = -1;

    // ----- search -----

    function search(query) {
      query = query.trim();
      cancelSuggest();
      hideSuggestions();
      if (searchAbort) searchAbort.abort();
      if (!query) {
        resetResults();
        remember('');
        return;
      }
      var seq = ++searchSeq;
      var controller = searchAbort = newController();
      var timedOut = false;
      var timer = controller ? setTimeout(function () {
        timedOut = true;
        controller.abort();
      }, TIMEOUT_MS) : null;
      ui.status.textContent = 'Ищем…';
      getJson('/api/search', { q: query, per_page: String(PER_PAGE) },
        controller ? controller.signal : undefined)
        .then(function (result) {
          clearTimeout(timer);
          if (seq !== searchSeq) return;
          if (timedOut) {  // the answer began, then stopped: its body was cut off
            showError('Сервер поиска не ответил вовремя. Попробуйте ещё раз.');
            return;
          }
          if (!result.ok || !result.body) {
            showError(errorMessage(result));
            return;
          }
          renderResults(query, result.body);
          remember(query);
        })
        .catch(function (err) {
          clearTimeout(timer);
          if (seq !== searchSeq) return;
          if (timedOut) {
            showError('Сервер поиска не ответил вовремя. Попробуйте ещё раз.');
            return;
          }
          if (err && err.name === 'AbortError') return;
          showError('Не удалось связаться с сервером поиска.');
          // for the site's web editor: a browser hides why (CORS) from the script
          if (window.console && new URL(BASE, location.href).origin !== location.origin) {
            console.warn('Kartoteka: no answer from ' + BASE + ' (down, or this site\'s ' +
              'origin ' + location.origin + ' is not in its KARTOTEKA_CORS_ORIGINS)');
          }
        });
    }

    function errorMessage(result) {
      var text = result.body && result.body.description ? String(result.body.description) : '';
      if (result.status === 400 && /[а-яё]/i.test(text)) return 'Не удалось выполнить поиск: ' + text + '.';
      if (result.status === 400) return 'Не удалось выполнить поиск: проверьте запрос.';
      if (result.status === 503) return 'Поиск временно недоступен. Попробуйте через минуту.';
      return 'Ошибка сервера поиска (код ' + result.status + ').';
    }

    function resetResults() {
      clear(ui.results);
      clear(ui.partial);
      ui.partial.hidden = ui.partialLabel.hidden = true;
      clear(ui.notices);
      ui.status.textContent = '';
      ui.status.classList.remove('kartoteka-error');
      ui.all.hidden = true;
    }

    function showError(message) {
      resetResults();
      ui.status.textContent = message;
      ui.status.classList.add('kartoteka-error');
    }

    function renderResults(query, data) {
      resetResults();
      var total = Number(data.total) || 0;
      var hits = Array.isArray(data.hits) ? data.hits : [];
      ui.status.textContent = total > 0
        ? 'Найдено: ' + total + ' ' + pluralRu(total, ['публикация', 'публикации', 'публикаций']) +
          andCopies(data.copies_total)
        : 'По запросу «' + query + '» ничего не найдено';

      renderNotices(query, data);
      hits.forEach(function (hit) { ui.results.appendChild(renderHit(hit)); });
      var partial = renderPartial(data);
      // What the notices and the partial label show to the eye, said by the live region
      // too (as on the page): every notice, once.
      var said = Array.prototype.map.call(ui.notices.querySelectorAll('.kartoteka-notice'),
        function (notice) { return notice.textContent; });
      if (partial) said.push(partial);
      if (said.length) ui.status.appendChild(el('span', 'kartoteka-sr', ' ' + said.join(' ')));

      var allQuery = data.corrected && data.did_you_mean ? data.did_you_mean : query;
      ui.all.href = BASE + '/?' + new URLSearchParams({ q: allQuery }).toString();
      ui.all.hidden = total === 0;
    }

    /** Publications with only some of the words, after a label of their own; what the
     *  live region says of them, in the page's words (its status said «Найдено: 2» of 7). */
    function renderPartial(data) {
      var partial = Array.isArray(data.partial) ? data.partial : [];
      if (!partial.length) return '';
      var count = Number(data.partial_total) || partial.length;
      var more = count + ' ' + pluralRu(count, ['публикация', 'публикации', 'публикаций']);
      ui.partialLabel.textContent = 'Не все слова запроса: ещё ' + more;
      partial.forEach(function (hit) { ui.partial.appendChild(renderHit(hit)); });
      ui.partial.hidden = ui.partialLabel.hidden = false;
      return 'Ещё ' + more + ' — не со всеми словами запроса.';
    }

    /** One notice per situation, from the structured fields (as on the search page). */
    function renderNotices(query, data) {
      var layout = data.correction === 'layout';
      if (data.corrected && data.did_you_mean) {
        var why = correctionWords(data.correction, query);
        ui.notices.appendChild(el('p', 'kartoteka-notice kartoteka-corrected',
          why[0] + 'Показаны результаты по запросу «' + data.did_you_mean + '»' + why[1] + '.'));
      } else if (data.did_you_mean) {
        var p = el('p', 'kartoteka-notice');
        p.appendChild(document.createTextNode(layout
          ? 'Возможно, запрос набран в английской раскладке: ' : 'Возможно, вы имели в виду: '));
        var link = el('a', 'kartoteka-link kartoteka-did-you-mean', data.did_you_mean);
        link.href = BASE + '/?' + new URLSearchParams({ q: data.did_you_mean }).toString();
        link.addEventListener('click', function (event) {
          event.preventDefault();
          ui.input.value = data.did_you_mean;
          search(data.did_you_mean);
        });
        p.appendChild(link);
        ui.notices.appendChild(p);
      }
      if (data.relaxed) {
        ui.notices.appendChild(el('p', 'kartoteka-notice kartoteka-relaxed',
          'Ни одна публикация не содержит всех слов запроса — показаны частичные совпадения.'));
      }
      topicHints(data).forEach(function (topic) {
        // The widget has no filters: the search page opens with the topic chosen.
        var p = el('p', 'kartoteka-notice kartoteka-topic-hint');
        p.appendChild(document.createTextNode('Есть тема «' + topic.value + '»: '));
        var link = el('a', 'kartoteka-link kartoteka-topic-link',
          'показать её публикации (' + topic.count + ')');
        link.href = BASE + '/?' + new URLSearchParams({ topic: topic.value }).toString();
        p.appendChild(link);
        ui.notices.appendChild(p);
      });
      otherWarnings(data).forEach(function (warning) {
        ui.notices.appendChild(el('p', 'kartoteka-notice kartoteka-warning',
          warning.charAt(0).toUpperCase() + warning.slice(1)));
      });
    }

    /** The topics whose names hold the words of a query that found nothing. */
    function topicHints(data) {
      return (Array.isArray(data.topic_hints) ? data.topic_hints : []).filter(function (t) {
        return t && typeof t.value === 'string' && t.value;
      });
    }

    /** The server's other warnings («непарная кавычка пропущена»), minus what a notice
     *  above already says (as on the search page). */
    function otherWarnings(data) {
      var seen = {};
      var fix = data.did_you_mean ? String(data.did_you_mean).toLowerCase() : '';
      var hinted = topicHints(data).map(function (t) { return 'есть тема «' + t.value + '»'; });
      return (Array.isArray(data.warnings) ? data.warnings : []).filter(function (w) {
        if (typeof w !== 'string' || !w || seen[w]) return false;
        seen[w] = true;
        if (hinted.some(function (h) { return w.indexOf(h) === 0; })) return false;
        var text = w.toLowerCase();
        if (data.corrected && fix && (text.indexOf('«' + fix + '»') >= 0 ||
            text.indexOf('раскладк') >= 0 || text.indexOf('показаны результаты по запросу') >= 0)) {
          return false;
        }
        return !(data.relaxed && text.indexOf('частичн') >= 0);
      });
    }

    function renderHit(hit) {
      var item = el('li', 'kartoteka-hit');
      var link = el('a', 'kartoteka-title', hit.title || 'Без названия');
      link.href = hitHref(hit);
      item.appendChild(link);
      var date = formatDateRu(hit.published);
      if (date) {
        var time = el('time', 'kartoteka-date', date);
        time.setAttribute('datetime', String(hit.published).slice(0, 10));
        item.appendChild(time);
      }
      if (hit.snippet) {
        var snippet = el('p', 'kartoteka-snippet');
        snippet.appendChild(buildSnippet(hit.snippet));
        item.appendChild(snippet);
      }
      return item;
    }

    // ----- suggestions -----

    function onInput() {
      clearTimeout(suggestTimer);
      var text = ui.input.value.trim();
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
      suggestAbort = newController();
      getJson('/api/suggest', { q: text }, suggestAbort ? suggestAbort.signal : undefined)
        .then(function (result) {
          if (seq !== suggestSeq || !focused(ui.input)) return;
          var items = result.ok && result.body && Array.isArray(result.body.suggestions)
            ? result.body.suggestions : [];
          renderSuggestions(items.filter(function (s) { return s && s.text; }));
        })
        .catch(function () { /* optional */ });
    }

    function renderSuggestions(items) {
      clear(ui.suggestions);
      suggestItems = items;
      activeIndex = -1;
      ui.input.removeAttribute('aria-activedescendant');
      if (!items.length) {
        hideSuggestions();
        return;
      }
      items.forEach(function (item, index) {
        var li = el('li', 'kartoteka-suggestion');
        li.id = uid + '-s' + index;
        li.setAttribute('role', 'option');
        li.setAttribute('aria-selected', 'false');
        li.appendChild(el('span', 'kartoteka-suggestion-text', item.text));
        if (item.kind === 'title') li.appendChild(el('span', 'kartoteka-suggestion-kind', 'публикация'));
        li.addEventListener('click', function () { choose(index); });
        ui.suggestions.appendChild(li);
      });
      ui.suggestions.hidden = false;
      ui.input.setAttribute('aria-expanded', 'true');
    }

    function hideSuggestions() {
      ui.suggestions.hidden = true;
      clear(ui.suggestions);
      suggestItems = [];
      activeIndex = -1;
      ui.input.setAttribute('aria-expanded', 'false');
      ui.input.removeAttribute('aria-activedescendant');
    }

    function setActive(index) {
      var options = ui.suggestions.children;
      if (!options.length) return;
      if (index < -1) index = options.length - 1;
      if (index >= options.length) index = -1;
      activeIndex = index;
      for (var i = 0; i < options.length; i++) {
        var active = i === index;
        options[i].classList.toggle('kartoteka-active', active);
        options[i].setAttribute('aria-selected', active ? 'true' : 'false');
      }
      if (index >= 0) {
        ui.input.setAttribute('aria-activedescendant', options[index].id);
        // the list scrolls (max-height): the option the arrows reach stays in sight
        options[index].scrollIntoView({ block: 'nearest' });
      } else {
        ui.input.removeAttribute('aria-activedescendant');
      }
    }

    /** A publication opens its page; a word is searched for. */
    function choose(index) {
      var item = suggestItems[index];
      if (!item) return;
      if (item.kind === 'title' && item.id) {
        cancelSuggest();
        hideSuggestions();
        window.location.assign(publicationHref(item.id));
        return;
      }
      ui.input.value = item.text;
      search(item.text);
    }

    function onKeydown(event) {
      var open = !ui.suggestions.hidden;
      if (event.key === 'ArrowDown' && open) {
        event.preventDefault();
        setActive(activeIndex + 1);
      } else if (event.key === 'ArrowUp' && open) {
        event.preventDefault();
        setActive(activeIndex - 1);
      } else if (event.key === 'Enter' && open && activeIndex >= 0) {
        event.preventDefault();
        choose(activeIndex);
      } else if (event.key === 'Escape' && open) {
        event.preventDefault();
        cancelSuggest();
        hideSuggestions();
      } else if (event.key === 'Tab' && open) {  // on to the button, the list closed
        cancelSuggest();
        hideSuggestions();
      }
    }

    ui.form.addEventListener('submit', function (event) {
      event.preventDefault();
      search(ui.input.value);
    });
    ui.input.addEventListener('input', onInput);
    ui.input.addEventListener('keydown', onKeydown);
    ui.input.addEventListener('blur', function () {
      setTimeout(function () {
        if (!focused(ui.input)) { cancelSuggest(); hideSuggestions(); }
      }, 150);
    });
    ui.suggestions.addEventListener('mousedown', function (event) { event.preventDefault(); });

    // A visitor who opens a result and comes back with Back finds the search again
    // (only then: a page opened anew starts empty).
    var saved = cameBack() ? recall() : '';
    if (saved && !ui.input.value) {
      ui.input.value = saved;
      search(saved);
    }
  }

  /** The last search of this widget on this page, kept for the browser tab's session. */
  var MEMORY_KEY = 'kartoteka-widget:' + location.pathname + ':' +
    (script.getAttribute('data-target') || '');

  function remember(query) {
    try {
      if (query) window.sessionStorage.setItem(MEMORY_KEY, query);
      else window.sessionStorage.removeItem(MEMORY_KEY);
    } catch (e) { /* storage refused (a sandboxed frame, privacy settings): not kept */ }
  }

  function cameBack() {
    try {
      var entries = performance.getEntriesByType('navigation');
      return entries.length > 0 && entries[0].type === 'back_forward';
    } catch (e) {
      return false;
    }
  }

  function recall() {
    try {
      return window.sessionStorage.getItem(MEMORY_KEY) || '';
    } catch (e) {
      return '';
    }
  }

  function start() {
    createWidget(resolveTarget());
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
})();
