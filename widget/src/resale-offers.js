/*! Resale Graph widget: <resale-offers>, a product's pre-owned listings or a brand's resale shop, for any page. Docs: docs/embedding.md */
// The custom element. Attributes (all re-render when changed): mode ("shop": the brand's
// listings with sort, filters and facet counts; else one product's offers), product-id,
// api-key, endpoint, locale, page-size (1-24, default 6; 12 in shop mode), heading,
// listing-url ("https://shop.example/resale/{id}"), live ("false": no live updates),
// messages (JSON); the `messages` property takes an object too. It sends one persisted
// operation per mode (widget/resale-widget.graphql, widget/resale-widget-shop.graphql) by
// its SHA-256 hash over GET (cacheable), and opens one subscription (LIVE) over
// graphql-transport-ws that marks sold offers; removing the element closes it. Styles are
// a constructable stylesheet (CSP style-src safe).
// Events (bubbling, composed): resale:ready, resale:error, resale:impression, resale:click.
import { MESSAGES } from "./messages.js";

export { MESSAGES };

var HASH = "d7120a0e1401368d65b1773b896ea5ff409fae56b00418c1f0d7586283a30e00";
var SHOP = "9922af5ead132582e351f7ac9dfb3f5be6dcab52a842d886babf606f456509c2";
var LIVE =
  "subscription ResaleWidgetLive($productId: ID) " +
  "{ listingChanged(productId: $productId) { id status } }";
var CSS =
  ":host{all:initial;display:block;font:var(--rg-font,16px/1.4 system-ui,sans-serif);color:var(--rg-text,#1b1f24)}" +
  "*{box-sizing:border-box}section{background:var(--rg-bg,transparent)}" +
  "h2{font-size:1.25em;line-height:1.4;margin:0 0 .5em}" +
  "ul{list-style:none;margin:0;padding:0;display:grid;gap:var(--rg-gap,12px);grid-template-columns:repeat(auto-fill,minmax(var(--rg-card-min,11rem),1fr))}" +
  "a,.k{display:flex;flex-direction:column;gap:4px;height:100%;padding:8px;border:1px solid var(--rg-border,#8c959f);border-radius:var(--rg-radius,8px);background:var(--rg-card-bg,#fff);color:inherit;text-decoration:none}" +
  "a:hover .t{text-decoration:underline}" +
  ":focus-visible{outline:3px solid var(--rg-focus,#0b5cad);outline-offset:2px}" +
  "img:not([src]){color:transparent}img,i{display:block;width:100%;height:auto;aspect-ratio:1;object-fit:cover;border-radius:4px;background:var(--rg-placeholder,#eef1f4)}" +
  ".t{font-weight:600;min-height:2.8em;display:-webkit-box;-webkit-box-orient:vertical;-webkit-line-clamp:2;overflow:hidden}" +
  ".p{font-weight:700;color:var(--rg-price,inherit)}" +
  ".p,.m{min-height:1.4em;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}" +
  ".m,.s{font-size:.875em;color:var(--rg-muted,#57606a)}.s{margin:0 0 8px;min-height:1.4em}" +
  ".e{color:var(--rg-error,#a40e26)}" +
  "button{font:inherit;margin:12px 8px 0 0;padding:8px 16px;border:0;border-radius:var(--rg-radius,8px);background:var(--rg-accent,#0b5cad);color:var(--rg-accent-text,#fff);cursor:pointer}" +
  "button:disabled{opacity:.7;cursor:progress}[hidden]{display:none}.h{visibility:hidden}" +
  ".x{border-style:dashed}.x .p{text-decoration:line-through}" +
  ".b{align-self:flex-start;padding:0 6px;border-radius:4px;font-size:.875em;font-weight:700;background:var(--rg-sold,#1b1f24);color:var(--rg-sold-text,#fff)}" +
  ".v{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%);white-space:nowrap}" +
  "form{display:flex;flex-wrap:wrap;gap:8px;align-items:flex-start;margin:0 0 12px}" +
  "fieldset{margin:0;padding:4px 8px 8px;border:1px solid var(--rg-border,#8c959f);border-radius:var(--rg-radius,8px)}" +
  "legend{font-weight:600}label{display:inline-block;margin:4px 12px 0 0}" +
  "select,input{font:inherit;margin:0 4px}input[type=number]{width:6em}";
var ATTRIBUTES = [
  "mode",
  "product-id",
  "api-key",
  "endpoint",
  "locale",
  "page-size",
  "heading",
  "listing-url",
  "live",
  "messages",
];
var w = typeof window == "undefined" ? {} : window;
var Base = w.HTMLElement || function () {}; // imported during server-side rendering: inert
var shared;

function el(tag, cls, text) {
  var node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text != null) node.textContent = text;
  return node;
}

// Constructable stylesheet: CSP's style-src does not apply to it. Without support (old
// browsers), each rendering gets a <style> with the element's `nonce` attribute (the
// script-tag embed copies its script's nonce): allow it with style-src 'nonce-...'.
function adopt(root) {
  try {
    shared = shared || new CSSStyleSheet();
    if (!shared.cssRules.length) shared.replaceSync(CSS);
    root.adoptedStyleSheets = [shared];
    return true;
  } catch (e) {
    return false;
  }
}

// A BlurHash's average colour (its DC term: characters 2-5, base 83, sRGB) painted
// behind the photo until it loads: the whole placeholder in a few bytes.
var B83 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz#$%*+,-.:;=?@[]^_{|}~";
function average(hash) {
  var value = 0;
  for (var i = 2; i < 6; i++) value = value * 83 + Math.max(0, B83.indexOf(hash.charAt(i)));
  return "#" + ("00000" + (value & 0xffffff).toString(16)).slice(-6);
}

export class ResaleOffers extends Base {
  static get observedAttributes() {
    return ATTRIBUTES;
  }

  constructor() {
    super();
    this._adopted = adopt(this.attachShadow({ mode: "open" }));
    this._messages = null;
    // Set on the element before it was defined (a framework's property): apply it now.
    if (Object.prototype.hasOwnProperty.call(this, "messages")) {
      var early = this.messages;
      delete this.messages;
      this._messages = early;
    }
  }

  /** The page's own strings (any key of MESSAGES.en), over the built-in table. */
  get messages() {
    return this._messages;
  }

  set messages(value) {
    this._messages = value;
    this._later();
  }

  connectedCallback() {
    this._later();
  }

  disconnectedCallback() {
    this._stop();
  }

  attributeChangedCallback() {
    this._later();
  }

  /** Render again (also what an attribute change does). */
  refresh() {
    this._later();
  }

  // Several attributes set in a row render once.
  _later() {
    var self = this;
    if (self._queued || !self.isConnected) return;
    self._queued = true;
    queueMicrotask(function () {
      self._queued = false;
      self._stop();
      if (self.isConnected) self._stop = render(self, self.shadowRoot, self._adopted);
    });
  }

  _stop() {}
}

function strings(host, locale) {
  var own = host.messages;
  try {
    own = own || JSON.parse(host.getAttribute("messages") || "{}");
  } catch (e) {
    own = {};
  }
  var language = String(locale).slice(0, 2).toLowerCase();
  return Object.assign({}, MESSAGES.en, MESSAGES[language], own);
}

// One rendering for one set of attributes; returns the function that ends it (closes
// the socket, drops the observer, ignores answers still on their way).
function render(host, root, adopted) {
  var attr = function (name) {
    return host.getAttribute(name) || "";
  };
  var endpoint = attr("endpoint");
  var productId = attr("product-id");
  var shop = attr("mode") === "shop";
  var size = Math.min(24, Math.max(1, parseInt(attr("page-size"), 10) || (shop ? 12 : 6)));
  var langHost = host.closest("[lang]");
  var locale =
    attr("locale") || (langHost || document.documentElement).lang || navigator.language || "en";
  var t = strings(host, locale);
  var linkTemplate = attr("listing-url") || "#listing-{id}";
  var ended = false;
  var socket, retryTimer, pingTimer;
  var seen = w.IntersectionObserver && new IntersectionObserver(impressions, { threshold: 0.5 });
  var section = el("section");
  var heading = el("h2", "", attr("heading") || t.heading);
  var status = el("p", "s");
  var list = el("ul");
  var more = el("button", "", t.more);
  var retry = el("button", "", t.retry);
  var news = el("p", "v"); // announces offers that sell while the page is open
  heading.id = "rg-h";
  section.setAttribute("aria-labelledby", "rg-h");
  news.setAttribute("aria-live", "polite");
  list.setAttribute("role", "list");
  more.type = retry.type = "button";
  retry.hidden = true;
  section.append(heading, status, list, more, retry, news);
  // Shop mode: a form of native controls above the grid (sort, facet checkboxes with
  // their counts, a price range); each change asks for the first page again.
  var form = el("form");
  var sort = el("select");
  var low = el("input");
  var high = el("input");
  var range = field(t.price);
  var chosen = {}; // facet field -> values checked
  var drawn = false; // the facets, asked for with the first page only
  var seq = 0; // answers to an older question are dropped
  var follow = 0; // partial pages read on without a click
  if (shop) {
    form.setAttribute("aria-label", t.filters);
    form.onsubmit = function (event) {
      event.preventDefault();
      reload();
    };
    ["NEWEST", "PRICE_ASC", "PRICE_DESC"].forEach(function (order) {
      var option = el("option", "", t[order]);
      option.value = order;
      sort.append(option);
    });
    form.append(labelled(sort, "rg-o", t.sort), range);
    [low, high].forEach(function (input, i) {
      input.type = "number";
      input.min = 0;
      input.step = "any";
      input.onchange = reload;
      range.append(labelled(input, "rg-p" + i, i ? t.to : t.from));
    });
    sort.onchange = reload;
    section.insertBefore(form, status);
  }
  if (adopted) root.replaceChildren(section);
  else {
    var css = el("style", "", CSS);
    css.nonce = host.nonce || "";
    root.replaceChildren(css, section);
  }

  var cursor = null;
  var keys = Object.keys(MESSAGES.en); // conditions in their order
  var offers = []; // {listingId, price, currency, position}, in order shown
  var formats = {};
  var byId = {}; // listing id -> its link, for live updates

  function labelled(control, id, text) {
    var label = el("label", "", text + " ");
    var box = el("span");
    control.id = label.htmlFor = id;
    box.append(label, control);
    return box;
  }

  function field(legend) {
    var set = el("fieldset");
    set.append(el("legend", "", legend));
    return set;
  }

  // "authenticityGrade" -> "Authenticity grade", unless the messages name it.
  function named(name) {
    return t[name] || name.charAt(0).toUpperCase() + name.slice(1).replace(/[A-Z]/g, " $&").toLowerCase();
  }

  // One fieldset of checkboxes per facet, "Good (12)", values in their natural order.
  function facets(found) {
    found.forEach(function (facet) {
      var values = facet.values.filter(function (v) {
        return v.count > 0;
      });
      if (!values.length) return;
      var set = field(named(facet.field));
      values.sort(function (a, b) {
        return keys.indexOf(a.value) - keys.indexOf(b.value) || a.value.localeCompare(b.value, "en", { numeric: true });
      });
      values.forEach(function (v) {
        var box = el("input");
        var label = el("label");
        box.type = "checkbox";
        box.onchange = function () {
          var on = (chosen[facet.field] = chosen[facet.field] || []);
          if (box.checked) on.push(v.value);
          else on.splice(on.indexOf(v.value), 1);
          reload();
        };
        label.append(box, (t[v.value] || v.value) + " (" + v.count + ")");
        set.append(label);
      });
      form.insertBefore(set, range);
    });
  }

  // The shop's filter from the form; null when nothing narrows it.
  function wanted() {
    var filter = { facets: [] };
    var found = 0;
    var a = low.value;
    var b = high.value;
    for (var name in chosen) {
      var on = chosen[name];
      if (!on.length) continue;
      found = 1;
      if (name === "condition") filter.condition = on;
      else filter.facets.push({ field: name, in: on });
    }
    if (a && b && +a > +b) {
      var c = a;
      a = b;
      b = c;
    }
    if (a || b) filter.price = { min: a || null, max: b || null };
    return found || a || b ? filter : null;
  }

  function reload() {
    cursor = null;
    offers = [];
    byId = {};
    follow = 0;
    list.replaceChildren();
    if (seen) seen.disconnect();
    load();
  }

  function emit(name, detail) {
    detail.productId = productId;
    host.dispatchEvent(new CustomEvent("resale:" + name, { bubbles: true, composed: true, detail: detail }));
  }

  function price(money) {
    var code = money.currency;
    try {
      formats[code] = formats[code] || new Intl.NumberFormat(locale, { style: "currency", currency: code });
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

  function impressions(entries) {
    entries.forEach(function (entry) {
      if (!entry.isIntersecting) return;
      seen.unobserve(entry.target);
      emit("impression", Object.assign({}, entry.target.rgOffer));
    });
  }

  // Space for a page of cards before data arrives, so nothing below the widget moves.
  function skeleton() {
    for (var i = 0; i < size; i++) {
      var card = el("div", "k");
      card.append(el("i"), el("span", "t"), el("span", "p"), el("span", "m"));
      var item = el("li");
      item.append(card);
      list.append(item);
    }
  }

  // The photo box's width in CSS px: a skeleton's or a shown card's, else the grid's minimum.
  var boxPx = 176;
  function cardWidth() {
    var box = list.querySelector("i,img");
    return Math.ceil((box && box.getBoundingClientRect().width) || 176);
  }

  function card(node) {
    var offer = {
      listingId: node.id,
      price: node.price.amount,
      currency: node.price.currency,
      position: offers.length + 1,
    };
    offers.push(offer);
    var link = el("a");
    link.href = linkTemplate.replace("{id}", encodeURIComponent(node.id));
    link.rgOffer = offer;
    link.onclick = function () {
      emit("click", Object.assign({ url: link.href }, offer));
    };
    // An uploaded photo (renditions, placeholder), else a foreign image (a URL only).
    var image = (node.photos || [])[0] || (node.images || [])[0];
    var picture = el(image ? "img" : "i");
    if (image) {
      // The API's size: the box is reserved before the photo arrives (CSS keeps it square).
      picture.width = image.width || 400;
      picture.height = image.height || 400;
      picture.alt = image.alt || "";
      picture.loading = "lazy";
      picture.decoding = "async";
      if (image.placeholder) picture.style.backgroundColor = average(image.placeholder);
      if (image.srcset) {
        // The card's measured width: the browser fetches the smallest rendition that
        // covers it at the screen's density, not the largest.
        picture.sizes = boxPx + "px";
        picture.srcset = image.srcset;
      }
      picture.src = image.url;
      // A photo that fails keeps its box, its size and its alt (for screen readers):
      // the placeholder's colour shows, the alt text does not.
      picture.onerror = function () {
        picture.onerror = null;
        picture.removeAttribute("srcset");
        picture.removeAttribute("src");
      };
    }
    var seller = node.seller ? " \u00b7 " + node.seller.displayName : "";
    link.append(
      picture,
      el("span", "t", node.title),
      el("span", "p", price(node.price)),
      el("span", "m", (t[node.condition] || node.condition) + seller),
    );
    var item = el("li");
    item.append(link);
    byId[node.id] = link;
    if (seen) seen.observe(link);
    return item;
  }

  function fail(message, code, detail) {
    if (ended) return;
    if (!offers.length) list.replaceChildren();
    state("error", message);
    more.hidden = true;
    retry.hidden = false;
    console.warn("[resale-widget] " + detail);
    emit("error", { code: code, message: detail });
  }

  function load(clicked) {
    var mine = ++seq;
    state("loading", offers.length ? t.loadingMore : t.loading);
    more.disabled = true;
    more.hidden = false;
    retry.hidden = true;
    if (!offers.length && !list.firstChild) skeleton();
    var url = new URL(endpoint, location.href);
    var variables = shop ? { orderBy: sort.value, filter: wanted(), facets: !drawn } : { productId: productId };
    variables.first = size;
    variables.after = cursor;
    url.search = new URLSearchParams({
      operationName: shop ? "ResaleWidgetShop" : "ResaleWidget",
      variables: JSON.stringify(variables),
      extensions: JSON.stringify({ persistedQuery: { version: 1, sha256Hash: shop ? SHOP : HASH } }),
    });
    fetch(url, { headers: { "X-Api-Key": attr("api-key") } })
      .then(function (response) {
        return response.json();
      })
      .then(function (body) {
        if (ended || mine !== seq) return;
        var page = body.data && body.data[shop ? "shop" : "productListings"];
        if (!page) {
          var error = (body.errors || [])[0] || {};
          var code = (error.extensions || {}).code || "NO_DATA";
          return fail(t.unavailable, code, code + ": " + error.message);
        }
        boxPx = cardWidth(); // before the skeleton goes
        if (!offers.length) list.replaceChildren(); // the skeleton
        var first = null;
        var start = offers.length;
        page.edges.forEach(function (edge) {
          var item = card(edge.node);
          first = first || item.firstChild;
          list.append(item);
        });
        if (page.facets) facets(page.facets);
        drawn = true;
        cursor = page.pageInfo.endCursor;
        more.disabled = false;
        // A partial shop page (its filter ran out of read budget) may have more: read on
        // by itself while the grid is short, then leave it to "Show more".
        var partial = page.complete === false;
        var shown = offers.length;
        var text = (shown === 1 ? t.one : t.shown).replace("{n}", shown);
        more.className = page.pageInfo.hasNextPage || partial ? "" : "h";
        if (shown > start) {
          state("ready", text);
          emit("ready", { count: shown, offers: offers.slice(start) });
        }
        // After "Show more", keyboard users continue at the first new offer.
        if (first && clicked && start) first.focus();
        if (first) clicked = 0;
        if (partial && shown < start + size && follow++ < 3) return load(clicked);
        if (!shown) {
          more.hidden = !partial;
          return state("empty", shop ? t.none : t.empty);
        }
        state("ready", text);
      })
      .catch(function (error) {
        if (mine === seq)
          fail(
          t.unreachable,
          "NETWORK",
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
    var text = t[listing.status] || listing.status;
    if (!link || (badge ? badge.textContent : t.ACTIVE) === text) return;
    if (badge) badge.remove();
    link.className = listing.status === "ACTIVE" ? "" : "x";
    if (link.className) link.querySelector(".t").after(el("span", "b", text));
    news.textContent = link.querySelector(".t").textContent + ": " + text;
  }

  // A minimal graphql-transport-ws client: init with the key, one subscribe, pongs and
  // pings, a few reconnects with backoff. A 44xx close (refused key or origin, bad
  // request) or an `error` message ends it: retrying would not help. Never breaks the list.
  function live(tries) {
    try {
      var url = new URL(endpoint, location.href);
      url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
      socket = new WebSocket(url, "graphql-transport-ws");
    } catch (e) {
      return;
    }
    var mine = socket;
    function send(message) {
      if (mine.readyState === 1) mine.send(JSON.stringify(message));
    }
    mine.onopen = function () {
      send({ type: "connection_init", payload: { apiKey: attr("api-key") } });
    };
    mine.onmessage = function (event) {
      var message = {};
      try {
        message = JSON.parse(event.data);
      } catch (e) {}
      var type = message.type;
      if (type === "connection_ack") {
        tries = 0;
        send({ id: "1", type: "subscribe", payload: { query: LIVE, variables: { productId: productId || null } } });
        pingTimer = setInterval(send, 240000, { type: "ping" }); // under the idle timeout
      } else if (type === "ping") send({ type: "pong" });
      else if (type === "next") {
        var listing = ((message.payload || {}).data || {}).listingChanged;
        if (listing) mark(listing);
      } else if (type === "error") {
        tries = 9;
        console.warn("[resale-widget] live updates refused: " + event.data);
        mine.close();
      }
    };
    mine.onclose = function (event) {
      clearInterval(pingTimer);
      if (ended) return;
      var refused = event.code >= 4400 && event.code < 4500;
      if (refused) console.warn("[resale-widget] live updates refused (" + event.code + "): " + event.reason);
      if (refused || tries > 3) return;
      retryTimer = setTimeout(live, 1000 * Math.pow(2, tries), tries + 1);
    };
  }

  more.onclick = function () {
    follow = 0;
    load(1);
  };
  retry.onclick = more.onclick;
  if (!endpoint || !(shop || productId)) fail(t.setup, "SETUP", "endpoint and product-id (or mode=\"shop\") are required.");
  else {
    load();
    if (attr("live") !== "false" && w.WebSocket) live(0);
  }
  return function () {
    ended = true;
    clearTimeout(retryTimer);
    clearInterval(pingTimer);
    if (socket) socket.close(1000);
    if (seen) seen.disconnect();
  };
}

/** Register the element (and `resale-graph-widget`, the script-tag embed's host). */
export function define() {
  var registry = w.customElements;
  if (!registry) return;
  if (!registry.get("resale-offers")) registry.define("resale-offers", ResaleOffers);
  if (!registry.get("resale-graph-widget"))
    registry.define("resale-graph-widget", class extends ResaleOffers {});
}

define();
