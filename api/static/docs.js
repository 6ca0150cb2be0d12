'use strict';
(function () {
  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text) node.textContent = text;
    if (cls) node.className = cls;
    return node;
  }
  fetch('/openapi.json').then(function (r) { return r.json(); }).then(function (spec) {
    var root = document.getElementById('endpoints');
    root.textContent = '';
    Object.keys(spec.paths).forEach(function (path) {
      var item = spec.paths[path];
      ['get', 'put', 'delete'].forEach(function (method) {
        if (!item[method]) return;
        var op = item[method];
        var section = el('section', null, 'endpoint');
        section.appendChild(el('h2', method.toUpperCase() + ' ' + path));
        section.appendChild(el('p', op.summary || ''));
        var params = (op.parameters || []).concat(item.parameters || []);
        if (params.length) {
          var list = el('ul');
          params.forEach(function (p) {
            list.appendChild(el('li', p.name + ' (' + p.in + ') — ' + (p.description || '')));
          });
          section.appendChild(list);
        }
        section.appendChild(el('p', 'Ответы: ' + Object.keys(op.responses).join(', ')));
        root.appendChild(section);
      });
    });
  }).catch(function () {
    document.getElementById('endpoints').textContent = 'Не удалось загрузить спецификацию.';
  });
})();
