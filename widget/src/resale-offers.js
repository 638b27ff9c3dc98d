/*! Resale Graph widget v1: a product's pre-owned listings, for any page.
 * <script src="https://GATEWAY/widget/v1/widget.js" data-endpoint="https://GATEWAY/graphql"
 *   data-api-key="rg_..." data-product-id="prd-001" async></script>
 * Optional: data-page-size (1-24, default 6), data-locale, data-heading,
 * data-listing-url ("https://shop.example/resale/{id}"), data-target (CSS selector),
 * data-live="false" (no live updates).
 * It sends one persisted operation (widget/resale-widget.graphql) by its SHA-256 hash;
 * the gateway always knows it, also for safelisted tenants. Live: one subscription
 * (LIVE) over graphql-transport-ws on the same URL marks sold offers. Docs: docs/embedding.md */
(function (d) {
  "use strict";
  var HASH = "cf152e564473bda89c42bd9093c315f52477a05f7a9478cc3513dd2a0f0bc4e2";
  var LIVE =
    "subscription ResaleWidgetLive($productId: ID) " +
    "{ listingChanged(productId: $productId) { id status } }";
  var CSS =
    ":host{all:initial;display:block;font:var(--rg-font,16px/1.4 system-ui,sans-serif);color:var(--rg-text,#1b1f24)}" +
    "*{box-sizing:border-box}section{background:var(--rg-bg,transparent)}" +
    "h2{font-size:1.25em;margin:0 0 .5em}" +
    "ul{list-style:none;margin:0;padding:0;display:grid;gap:var(--rg-gap,12px);grid-template-columns:repeat(auto-fill,minmax(var(--rg-card-min,11rem),1fr))}" +
    "a{display:flex;flex-direction:column;gap:4px;height:100%;padding:8px;border:1px solid var(--rg-border,#8c959f);border-radius:var(--rg-radius,8px);background:var(--rg-card-bg,#fff);color:inherit;text-decoration:none}" +
    "a:hover .t{text-decoration:underline}" +
    "a:focus-visible,button:focus-visible{outline:3px solid var(--rg-focus,#0b5cad);outline-offset:2px}" +
    "img,i{display:block;width:100%;aspect-ratio:1;object-fit:cover;border-radius:4px;background:var(--rg-placeholder,#eef1f4)}" +
    ".t{font-weight:600}.p{font-weight:700;color:var(--rg-price,inherit)}" +
    ".m,.s{font-size:.875em;color:var(--rg-muted,#57606a)}.s{margin:0 0 8px}" +
    ".e{color:var(--rg-error,#a40e26)}" +
    "button{font:inherit;margin:12px 8px 0 0;padding:8px 16px;border:0;border-radius:var(--rg-radius,8px);background:var(--rg-accent,#0b5cad);color:var(--rg-accent-text,#fff);cursor:pointer}" +
    "button:disabled{opacity:.7;cursor:progress}[hidden]{display:none}" +
    ".x{border-style:dashed}.x .p{text-decoration:line-through}" +
    ".b{align-self:flex-start;padding:0 6px;border-radius:4px;font-size:.875em;font-weight:700;background:var(--rg-sold,#1b1f24);color:var(--rg-sold-text,#fff)}" +
    ".v{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%);white-space:nowrap}";
  var LOADING = "Loading pre-owned offers\u2026";

  function el(tag, cls, text) {
    var node = d.createElement(tag);
    if (cls) node.className = cls;
    if (text != null) node.textContent = text;
    return node;
  }

  function label(value) {
    var words = String(value || "").toLowerCase().replace(/_/g, " ");
    return words.charAt(0).toUpperCase() + words.slice(1);
  }

  function mount(script) {
    var data = script.dataset;
    script.dataset.rgMounted = "1";
    var endpoint = data.endpoint;
    var size = Math.min(24, Math.max(1, parseInt(data.pageSize, 10) || 6));
    var locale = data.locale || d.documentElement.lang || navigator.language;
    var linkTemplate = data.listingUrl || "#listing-{id}";
    var target = data.target && d.querySelector(data.target);
    var host = el("resale-graph-widget");
    if (target) target.appendChild(host);
    else if (script.parentNode && script.parentNode !== d.head)
      script.parentNode.insertBefore(host, script.nextSibling);
    else d.body.appendChild(host);

    var root = host.attachShadow({ mode: "open" });
    var style = el("style", "", CSS);
    var section = el("section");
    var heading = el("h2", "", data.heading || "Pre-owned offers");
    var status = el("p", "s");
    var list = el("ul");
    var more = el("button", "", "Show more");
    var retry = el("button", "", "Try again");
    var news = el("p", "v"); // announces offers that sell while the page is open
    heading.id = "rg-h";
    section.setAttribute("aria-labelledby", "rg-h");
    status.setAttribute("role", "status");
    news.setAttribute("aria-live", "polite");
    list.setAttribute("role", "list");
    more.type = retry.type = "button";
    more.hidden = retry.hidden = true;
    section.append(heading, status, list, more, retry, news);
    root.append(style, section);

    var cursor = null;
    var shown = 0;
    var formats = {};
    var byId = {}; // listing id -> its link, for live updates

    function price(money) {
      var code = money.currency;
      try {
        formats[code] =
          formats[code] || new Intl.NumberFormat(locale, { style: "currency", currency: code });
        return formats[code].format(money.amount); // a decimal string: formatted exactly
      } catch (e) {
        return money.amount + " " + code;
      }
    }

    function state(name, text) {
      host.dataset.state = name;
      list.setAttribute("aria-busy", String(name === "loading"));
      status.className = name === "error" ? "s e" : "s";
      status.setAttribute("role", name === "error" ? "alert" : "status");
      status.textContent = text;
    }

    function card(node) {
      var link = el("a");
      link.href = linkTemplate.replace("{id}", encodeURIComponent(node.id));
      var image = node.images && node.images[0];
      var picture = el(image ? "img" : "i");
      if (image) {
        picture.src = image.url;
        picture.alt = "";
        picture.loading = "lazy";
        picture.onerror = function () {
          picture.replaceWith(el("i"));
        };
      }
      var seller = node.seller ? " \u00b7 " + node.seller.displayName : "";
      link.append(
        picture,
        el("span", "t", node.title),
        el("span", "p", price(node.price)),
        el("span", "m", label(node.condition) + seller),
      );
      var item = el("li");
      item.append(link);
      byId[node.id] = link;
      return item;
    }

    function fail(message, detail) {
      state("error", message);
      more.hidden = true;
      retry.hidden = false;
      console.warn("[resale-widget] " + detail);
    }

    function load() {
      state("loading", shown ? "Loading more offers\u2026" : LOADING);
      more.disabled = true;
      retry.hidden = true;
      fetch(endpoint, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-Api-Key": data.apiKey || "" },
        body: JSON.stringify({
          operationName: "ResaleWidget",
          variables: { productId: data.productId, first: size, after: cursor },
          extensions: { persistedQuery: { version: 1, sha256Hash: HASH } },
        }),
      })
        .then(function (response) {
          return response.json();
        })
        .then(function (body) {
          var page = body.data && body.data.productListings;
          if (!page) {
            var error = (body.errors || [])[0] || {};
            var code = (error.extensions || {}).code || "no data";
            return fail("Pre-owned offers are unavailable right now.", code + ": " + error.message);
          }
          var first = null;
          page.edges.forEach(function (edge) {
            var item = card(edge.node);
            first = first || item.firstChild;
            list.append(item);
          });
          shown += page.edges.length;
          cursor = page.pageInfo.endCursor;
          more.hidden = !page.pageInfo.hasNextPage;
          more.disabled = false;
          if (!shown) return state("empty", "No pre-owned offers for this product yet.");
          state("ready", shown + (shown === 1 ? " offer" : " offers") + " shown");
          // After "Show more", keyboard users continue at the first new offer.
          if (first && shown > page.edges.length) first.focus();
        })
        .catch(function (error) {
          fail(
            "Pre-owned offers could not be loaded.",
            endpoint +
              " could not be reached from " +
              location.origin +
              " (" +
              error +
              "). If the gateway refused this origin, allow it: " +
              "graph tenants origins add <tenant> " +
              location.origin,
          );
        });
    }

    // A shown offer that is no longer ACTIVE gets a badge ("Sold", "Reserved") inside
    // its link, so the link's name says it; the link keeps working. Back to ACTIVE: unmarked.
    function mark(listing) {
      var link = byId[listing.id];
      var badge = link && link.querySelector(".b");
      if (!link || (badge ? badge.textContent : "Active") === label(listing.status)) return;
      if (badge) badge.remove();
      link.className = listing.status === "ACTIVE" ? "" : "x";
      if (link.className) link.querySelector(".t").after(el("span", "b", label(listing.status)));
      news.textContent = link.querySelector(".t").textContent + ": " + label(listing.status);
    }

    // A minimal graphql-transport-ws client: init with the key, one subscribe, pongs and
    // pings, a few reconnects with backoff; then it stays quiet. Never breaks the list.
    function live(tries) {
      var socket, timer;
      try {
        var url = new URL(endpoint, location.href);
        url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
        socket = new WebSocket(url, "graphql-transport-ws");
      } catch (e) {
        return;
      }
      function send(message) {
        if (socket.readyState === 1) socket.send(JSON.stringify(message));
      }
      socket.onopen = function () {
        send({ type: "connection_init", payload: { apiKey: data.apiKey || "" } });
      };
      socket.onmessage = function (event) {
        var message = {};
        try {
          message = JSON.parse(event.data);
        } catch (e) {}
        var type = message.type;
        if (type === "connection_ack") {
          tries = 0;
          send({
            id: "1",
            type: "subscribe",
            payload: { query: LIVE, variables: { productId: data.productId } },
          });
          timer = setInterval(send, 240000, { type: "ping" }); // under the idle timeout
        } else if (type === "ping") send({ type: "pong" });
        else if (type === "next") {
          var listing = ((message.payload || {}).data || {}).listingChanged;
          if (listing) mark(listing);
        } else if (type === "error") {
          tries = 9; // refused (limits, schema): retrying would not help
          console.warn("[resale-widget] live updates refused: " + event.data);
          socket.close();
        }
      };
      socket.onclose = function (event) {
        clearInterval(timer);
        if (event.code === 4403 || tries > 3) return; // a refused key or origin: no retry
        setTimeout(live, 1000 * Math.pow(2, tries), tries + 1);
      };
    }

    more.onclick = load;
    retry.onclick = load;
    if (!endpoint || !data.productId)
      return fail("This widget is not set up.", "data-endpoint and data-product-id are required.");
    load();
    if (data.live !== "false" && window.WebSocket) live(0);
  }

  var scripts = d.currentScript ? [d.currentScript] : d.querySelectorAll("script[data-product-id]");
  for (var i = 0; i < scripts.length; i++) if (!scripts[i].dataset.rgMounted) mount(scripts[i]);
})(document);
