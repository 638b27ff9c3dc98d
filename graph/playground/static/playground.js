// Resale Graph playground bootstrap: renders GraphiQL from the self-hosted UMD builds.
// Its settings come from the page's JSON block #playground-config (no inline script,
// so the page's Content-Security-Policy can forbid inline scripts altogether).
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
  var send = GraphiQL.createFetcher({ url: config.graphqlPath });
  var defaultHeaders = JSON.parse(config.defaultHeaders);
  // GraphiQL 4 runs its first introspection before the headers editor exists, so that
  // request comes without headers (and the gateway answers 401). Give such calls the
  // default headers; every later call carries the headers editor's contents.
  function fetcher(params, options) {
    if (!options || !options.headers) {
      options = Object.assign({}, options, { headers: defaultHeaders });
    }
    return send(params, options);
  }

  root.className = "";
  ReactDOM.createRoot(root).render(
    e(
      GraphiQL,
      {
        fetcher: fetcher,
        defaultQuery: config.defaultQuery,
        defaultHeaders: config.defaultHeaders,
        isHeadersEditorEnabled: true,
        // API keys stay out of localStorage unless the user opts in under Settings.
        shouldPersistHeaders: false,
        defaultEditorToolsVisibility: "headers",
      },
      e(GraphiQL.Logo, null, config.title),
    ),
  );
})();
