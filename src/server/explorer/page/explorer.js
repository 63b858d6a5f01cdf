// The explorer page's script (served as /explorer/explorer.js; src/server/explorer/explorer.ts). It runs GraphiQL's
// UMD build with a fetcher that sends the analyst's token as `Authorization: Bearer`, only in headers — never in a
// URL — and loads the schema from /explorer/schema.graphql with the same token, since introspection may be off.
(function () {
  'use strict';
  var settings = JSON.parse(document.getElementById('gridhub-explorer-settings').textContent);
  // GraphiQL's dialogs add a <style> element with this nonce, the only inline style the page's CSP allows.
  window.__webpack_nonce__ = settings.styleNonce;
  var input = document.getElementById('gridhub-token');
  var status = document.getElementById('gridhub-token-status');
  var root = ReactDOM.createRoot(document.getElementById('gridhub-graphiql'));
  var token = readToken();
  var schema = null;
  var generation = 0;

  function readToken() {
    try {
      return window.localStorage.getItem(settings.tokenStorageKey) || '';
    } catch (error) {
      return '';
    }
  }

  function keepToken(value) {
    try {
      if (value) window.localStorage.setItem(settings.tokenStorageKey, value);
      else window.localStorage.removeItem(settings.tokenStorageKey);
    } catch (error) {
      // Storage refused (private mode, quota): the token lasts as long as the page.
    }
  }

  function headers(extra) {
    var result = { accept: 'application/graphql-response+json, application/json' };
    if (token) result.authorization = 'Bearer ' + token;
    for (var name in extra) result[name] = extra[name];
    return result;
  }

  function fetcher(params) {
    return fetch('/graphql', {
      method: 'POST',
      headers: headers({ 'content-type': 'application/json' }),
      body: JSON.stringify(params),
      credentials: 'omit',
      cache: 'no-store',
    }).then(function (response) {
      return response.text().then(function (text) {
        try {
          return JSON.parse(text);
        } catch (error) {
          throw new Error('HTTP ' + response.status + ': ' + text.slice(0, 200));
        }
      });
    });
  }

  /** Who the token says it is (not checked here: the hub checks it), for the status line. */
  function describe(value) {
    try {
      var part = value.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
      var bytes = Uint8Array.from(window.atob(part + '==='.slice((part.length + 3) % 4)), function (c) {
        return c.charCodeAt(0);
      });
      var claims = JSON.parse(new TextDecoder().decode(bytes));
      var words = [(claims.roles || []).join('+') || 'no role', claims.region ? 'region ' + claims.region : 'no region limit'];
      if (claims.source) words.push(claims.source);
      if (claims.department) words.push(claims.department);
      if (typeof claims.exp === 'number') {
        var expiry = new Date(claims.exp * 1000);
        words.push((expiry < new Date() ? 'expired ' : 'until ') + expiry.toLocaleString());
      }
      return words.join(' · ');
    } catch (error) {
      return 'not a token';
    }
  }

  function show(text, refused) {
    status.textContent = text;
    status.className = refused ? 'gridhub-refused' : '';
  }

  function loadSchema() {
    if (!token) {
      schema = null;
      show('paste a token (npm run token) to run queries and read the schema', true);
      render();
      return;
    }
    var asked = token;
    show(describe(token) + ' — checking…', false);
    fetch('/explorer/schema.graphql', { headers: headers({}), credentials: 'omit', cache: 'no-store' })
      .then(function (response) {
        return response.text().then(function (text) {
          if (asked !== token) return;
          if (response.ok) {
            schema = GraphiQL.GraphQL.buildSchema(text);
            show(describe(token) + ' — schema loaded', false);
          } else {
            schema = null;
            var message = 'HTTP ' + response.status;
            try {
              message = JSON.parse(text).errors[0].message;
            } catch (error) {
              // not the hub's error shape
            }
            show(describe(token) + ' — refused: ' + message, true);
          }
          render();
        });
      })
      .catch(function (error) {
        show('the hub did not answer: ' + error.message, true);
      });
  }

  function render() {
    root.render(
      React.createElement(GraphiQL, {
        key: generation,
        fetcher: fetcher,
        // null: no introspection query; the schema comes from /explorer/schema.graphql.
        schema: schema,
        defaultTabs: settings.examples,
        defaultQuery: '# A new query: Ctrl-Enter runs it, Ctrl-Space completes\n{\n  \n}\n',
        // The token bar above is the one place for the token; GraphiQL would keep headers in localStorage too.
        isHeadersEditorEnabled: false,
        shouldPersistHeaders: false,
      }),
    );
  }

  function useToken() {
    token = input.value.trim();
    keepToken(token);
    loadSchema();
  }

  input.value = token;
  input.addEventListener('keydown', function (event) {
    if (event.key === 'Enter') useToken();
  });
  document.getElementById('gridhub-use-token').addEventListener('click', useToken);
  document.getElementById('gridhub-forget-token').addEventListener('click', function () {
    input.value = '';
    useToken();
  });
  document.getElementById('gridhub-restore-examples').addEventListener('click', function () {
    // GraphiQL keeps its tabs under "graphiql:" keys; without them it opens the saved queries again.
    for (var i = window.localStorage.length - 1; i >= 0; i--) {
      var key = window.localStorage.key(i);
      if (key && key.indexOf('graphiql:') === 0) window.localStorage.removeItem(key);
    }
    generation += 1;
    render();
  });
  loadSchema();
})();
