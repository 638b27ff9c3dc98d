// The classic script (/widget/v1/widget.js, /widget/<hash>/resale-offers.js): registers
// <resale-offers>, exposes it as window.ResaleOffers, and mounts the script-tag embed:
// <script src=".../widget.js" data-endpoint=... data-api-key=... data-product-id=...
//   [data-mode data-page-size data-locale data-heading data-listing-url data-live
//   data-messages data-target="CSS selector"] async></script>
// (data-mode="shop" instead of data-product-id: the brand's shop).
// becomes a <resale-graph-widget> (the same element) after the script, or in the target.
import { MESSAGES, ResaleOffers, define } from "./resale-offers.js";

var d = document;
var NAMES = ["endpoint", "apiKey", "productId", "mode", "pageSize", "locale", "heading", "listingUrl", "live", "messages"];

function mount(script) {
  var data = script.dataset;
  // A plain <script src> (the element's loader, often in <head>) mounts nothing.
  if (!Object.keys(data).length) return;
  data.rgMounted = "1";
  var host = d.createElement("resale-graph-widget");
  NAMES.forEach(function (name) {
    if (data[name] != null) host.setAttribute(name.replace(/[A-Z]/g, "-$&").toLowerCase(), data[name]);
  });
  if (script.nonce) host.setAttribute("nonce", script.nonce); // for the <style> fallback
  var target = data.target && d.querySelector(data.target);
  if (target) target.appendChild(host);
  else if (script.parentNode && script.parentNode !== d.head) script.parentNode.insertBefore(host, script.nextSibling);
  else d.body.appendChild(host);
}

define();
window.ResaleOffers = { element: ResaleOffers, messages: MESSAGES, define: define };
var scripts = d.currentScript ? [d.currentScript] : d.querySelectorAll("script[data-product-id],script[data-mode]");
for (var i = 0; i < scripts.length; i++) if (!scripts[i].dataset.rgMounted) mount(scripts[i]);
