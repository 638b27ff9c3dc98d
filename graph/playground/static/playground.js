// Resale Graph playground: GraphiQL from the self-hosted UMD builds, guided.
// Its settings come from the page's JSON block #playground-config (no inline script,
// so the page's Content-Security-Policy can forbid inline scripts altogether).
//
// - A tab per example operation, each with the key it needs (`config.examples`).
// - A tenant/key picker (`config.keys`, development keys only): it writes the key into
//   the active tab's Headers editor; another tenant's key reloads the page with that
//   tenant's tabs (#tenant=threads&scope=read).
// - The schema follows the key: the fetcher is rebuilt whenever the key in the Headers
//   editor changes, and GraphiQL introspects again with it (no "Re-fetch" needed).
// - An empty Headers editor sends no key; a refused request is explained above the
//   editor (no key, an unknown key, a key without the scope).
(function () {
  "use strict";

  var root = document.getElementById("graphiql");

  function fail(message) {
    root.className = "playground-boot playground-failed";
    root.textContent = "";
    var heading = document.createElement("p");
    heading.textContent = "The playground could not start.";
    var detail = document.createElement("p");
    detail.textContent = message;
    root.appendChild(heading);
    root.appendChild(detail);
  }

  var config;
  try {
    config = JSON.parse(document.getElementById("playground-config").textContent);
  } catch (error) {
    fail("Its settings are unreadable: " + error);
    return;
  }
  if (!window.React || !window.ReactDOM || !window.GraphiQL) {
    fail("React or GraphiQL did not load: run `make playground-assets`, then reload.");
    return;
  }
  // GraphiQL's dialogs inject <style> elements; they carry this per-page nonce, which
  // the page's style-src allows (the bundled get-nonce reads __webpack_nonce__).
  window.__webpack_nonce__ = config.styleNonce;

  var e = React.createElement;
  var keys = config.keys || [];
  var examples = config.examples || {};

  // The API key in a Headers editor's text: "" for none, null when it is not JSON.
  function keyIn(text) {
    if (!text || !text.trim()) return "";
    var headers;
    try {
      headers = JSON.parse(text);
    } catch (error) {
      return null;
    }
    if (!headers || typeof headers !== "object") return null;
    return keyOf(headers);
  }

  function keyOf(headers) {
    for (var name in headers) {
      var lower = name.toLowerCase();
      if (lower === "x-api-key" && headers[name]) return String(headers[name]);
      if (lower === "authorization") {
        var parts = String(headers[name]).split(" ");
        if (parts[0].toLowerCase() === "bearer" && parts[1]) return parts[1];
      }
    }
    return "";
  }

  function headersWith(key) {
    return JSON.stringify({ "X-Api-Key": key }, null, 2);
  }

  function entryFor(key) {
    return keys.filter(function (k) {
      return k.key === key;
    })[0];
  }

  function keyFor(tenant, scope) {
    var found = keys.filter(function (k) {
      return k.tenant === tenant && k.scope === scope;
    })[0];
    return found ? found.key : "";
  }

  function tabsFor(tenant) {
    return (examples[tenant] || []).map(function (example) {
      return {
        query: example.query,
        variables: example.variables ? JSON.stringify(example.variables, null, 2) : undefined,
        headers: headersWith(keyFor(tenant, example.scope)),
      };
    });
  }

  // GraphiQL keeps its tabs in this storage: one per tenant, in memory (the page's
  // examples stay the same on reload; keys never reach localStorage).
  function memoryStorage() {
    var items = {};
    return {
      getItem: function (k) {
        return Object.prototype.hasOwnProperty.call(items, k) ? items[k] : null;
      },
      setItem: function (k, v) {
        items[k] = String(v);
      },
      removeItem: function (k) {
        delete items[k];
      },
      clear: function () {
        items = {};
      },
      get length() {
        return Object.keys(items).length;
      },
    };
  }

  // Why a request was refused, in words; null when it was not refused.
  function explain(status, body, key) {
    var error = body && body.errors && body.errors[0];
    var code = error && error.extensions && error.extensions.code;
    if (code === "UNAUTHENTICATED" || status === 401) {
      if (!key)
        return (
          "Refused (401 UNAUTHENTICATED): no API key was sent, because the Headers editor " +
          'has none. Pick a key above, or write {"X-Api-Key": "rg_..."} in Headers.'
        );
      return (
        "Refused (401 UNAUTHENTICATED): this gateway does not accept the key in the Headers " +
        "editor. Check it for typos, or pick a key above."
      );
    }
    if (code === "FORBIDDEN" || status === 403) {
      var entry = entryFor(key);
      var who = entry ? "The " + entry.label : "This key";
      return (
        "Refused (FORBIDDEN): " +
        (error ? error.message : "") +
        " " +
        who +
        " cannot do this: writes need a write key, auditTrail an admin key."
      );
    }
    return null;
  }

  // `keyNow()` reads the Headers editor as it is when the request leaves, so a request
  // sent right after an edit never carries the previous key.
  // When GraphiQL executes, it passes the editor's headers as they are at that moment
  // (`opts.headers`; none when the editor is empty, and `opts.documentAST`): they decide.
  // An introspection follows the key this fetcher was made for (`keyNow()`), since it
  // may run before GraphiQL has put a picked key into the editor.
  function makeFetcher(keyNow, setNotice) {
    return function fetcher(params, opts) {
      var executing = !!opts && "documentAST" in opts;
      var key = executing ? (opts.headers ? keyOf(opts.headers) : "") : keyNow();
      var headers = { "Content-Type": "application/json", Accept: "application/json" };
      if (key) headers["X-Api-Key"] = key;
      return fetch(config.graphqlPath, {
        method: "POST",
        headers: headers,
        body: JSON.stringify(params),
      }).then(function (response) {
        return response.json().then(function (body) {
          // A refusal stays until a request of the same kind succeeds: a schema refetch
          // landing after a refused run must not hide why the run was refused.
          var from = params.operationName === "IntrospectionQuery" ? "schema" : "run";
          var text = explain(response.status, body, key);
          setNotice(function (shown) {
            if (text) return { text: text, from: from };
            return shown && shown.from !== from ? shown : null;
          });
          return body;
        });
      });
    };
  }

  // The tenant comes from the page's address (#tenant=threads&scope=write; the page
  // itself is served only without a query string), else from the default key. Picking
  // another tenant's key reloads the page with that tenant's tabs.
  var params = new URLSearchParams(location.hash.slice(1));
  var defaultKey = keyIn(config.defaultHeaders) || "";
  var firstTenant = examples[params.get("tenant")]
    ? params.get("tenant")
    : (entryFor(defaultKey) || keys[0] || {}).tenant || null;
  var firstKey = firstTenant ? keyFor(firstTenant, params.get("scope") || "read") : "";

  function App() {
    var tenant = firstTenant;
    var tabs = React.useMemo(function () {
      var made = tenant ? tabsFor(tenant) : [];
      if (made.length) made[0].headers = headersWith(firstKey || keyFor(tenant, "read"));
      return made;
    }, []);
    var headersState = React.useState(tenant ? tabs[0].headers : config.defaultHeaders);
    var headersText = headersState[0];
    var latest = React.useRef(headersState[0]);
    // Stable handlers: GraphiQL debounces what it records of an edit per handler it is
    // given, so a new handler on every render would let stale records pile up.
    var handlers = React.useMemo(function () {
      function setHeadersText(text) {
        latest.current = text;
        headersState[1](text);
      }
      // GraphiQL reports every change of its tab state, and records an edit there 100 ms
      // after it: only a switch to another tab brings that tab's headers. For the same
      // tab, its recorded headers may be older than the editor's.
      var seen = { index: 0, id: null };
      function onTabChange(tabState) {
        var tab = tabState.tabs[tabState.activeTabIndex];
        var id = tab ? tab.id : null;
        var same = seen.id === null ? tabState.activeTabIndex === seen.index : id === seen.id;
        seen = { index: tabState.activeTabIndex, id: id };
        if (!same) setHeadersText((tab && tab.headers) || "");
      }
      return { setHeadersText: setHeadersText, onTabChange: onTabChange };
    }, []);
    var setHeadersText = handlers.setHeadersText;
    var noticeState = React.useState(null);
    var notice = noticeState[0];
    var key = keyIn(headersText);
    // The Headers editor's key decides the schema: a new fetcher makes GraphiQL
    // introspect again. Invalid JSON keeps the last valid key until it parses.
    var lastKey = React.useRef(key === null ? "" : key);
    if (key !== null) lastKey.current = key;
    var current = lastKey.current;
    var fetcher = React.useMemo(
      function () {
        return makeFetcher(function () {
          var now = keyIn(latest.current);
          return now === null ? lastKey.current : now;
        }, noticeState[1]);
      },
      [current],
    );
    var storage = React.useMemo(memoryStorage, []);

    var entry = entryFor(current);
    var choice = entry ? String(keys.indexOf(entry)) : current ? "custom" : "none";
    var options = [e("option", { key: "none", value: "none" }, "No key (empty Headers)")];
    if (choice === "custom")
      options.push(e("option", { key: "custom", value: "custom" }, "The key in Headers"));
    keys.forEach(function (k, index) {
      options.push(e("option", { key: index, value: String(index) }, k.label));
    });

    function pick(event) {
      var value = event.target.value;
      if (value === "none") return setHeadersText("");
      var chosen = keys[Number(value)];
      if (!chosen) return;
      if (chosen.tenant !== tenant) {
        location.hash = "tenant=" + chosen.tenant + "&scope=" + chosen.scope;
        location.reload();
        return;
      }
      setHeadersText(headersWith(chosen.key));
    }

    var graphiqlProps = {
      fetcher: fetcher,
      headers: headersText,
      onEditHeaders: setHeadersText,
      onTabChange: handlers.onTabChange,
      storage: storage,
      isHeadersEditorEnabled: true,
      // API keys stay out of localStorage unless the user opts in under Settings.
      shouldPersistHeaders: false,
      defaultEditorToolsVisibility: "headers",
    };
    if (tenant) graphiqlProps.defaultTabs = tabs;
    else graphiqlProps.defaultQuery = config.defaultQuery;

    return e(
      "div",
      { className: "playground-shell" },
      e(
        "div",
        { className: "playground-bar" },
        e("label", { htmlFor: "playground-key" }, "Tenant and key"),
        e("select", { id: "playground-key", value: choice, onChange: pick }, options),
        e(
          "p",
          {
            className: notice ? "playground-notice playground-refused" : "playground-notice",
            role: "status",
          },
          notice
            ? notice.text
            : current
              ? "Schema of the key in Headers."
              : "No key: requests are refused.",
        ),
      ),
      e(
        "div",
        { className: "playground-graphiql" },
        e(GraphiQL, graphiqlProps, e(GraphiQL.Logo, null, config.title)),
      ),
    );
  }

  root.className = "";
  ReactDOM.createRoot(root).render(e(App));
})();
