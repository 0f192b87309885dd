/*! Chatout loader */
// The one file a shop's page loads up front (scripts/build-loader.mjs minifies it into
// dist/chatout.js and inlines style/launcher.css and the icon). It:
// - captures the script tag's configuration synchronously (document.currentScript is gone later);
// - renders the floating button at once, inside its own shadow root;
// - loads the widget (glue + wasm beside this file) on the first interaction (hover, focus or
//   click on the button or a product hook) or when the page is idle after its load event,
//   whichever comes first; `data-load="interaction"` waits for an interaction only;
// - replays the click that triggered loading, once the widget is up;
// - when the widget cannot load (blocked, offline, a CSP without 'wasm-unsafe-eval'), logs one
//   console error and keeps the button and chat hooks working as plain WhatsApp links.
// Safe to include twice and with async; never throws into the host page.
(function () {
  "use strict";
  var w = window;
  var d = document;
  if (w.__chatoutLoaded) return;
  w.__chatoutLoaded = true;

  var HOOKS = "[data-chatout-add],[data-chatout-open],[data-chatout-chat]";
  var CSS = "__CHATOUT_LAUNCHER_CSS__";
  var ICON = "__CHATOUT_ICON_PATH__";
  // Languages with a table in labels/ (English is built in).
  var LANGUAGES = "__CHATOUT_LANGUAGES__".split(" ");
  // Modules the glue imports (the split build's loaders), fetched beside it instead of after it.
  var PRELOAD = "__CHATOUT_PRELOAD__".split(" ").filter(Boolean);
  var SVG = "http://www.w3.org/2000/svg";

  var script = d.currentScript;
  var attributes = {};
  if (script) {
    for (var i = 0; i < script.attributes.length; i++) {
      var a = script.attributes[i];
      // data-shipping-note -> shipping_note, as the JSON block spells it.
      if (a.name.indexOf("data-") === 0) attributes[a.name.slice(5).replace(/-/g, "_")] = a.value;
    }
  }
  var base = script && script.src ? script.src : d.baseURI;
  var json = null;
  var block = {};
  // 0: not loading, 1: loading, 2: the widget is up (or refused its configuration), 3: failed.
  var state = 0;
  var clicked = []; // hook elements clicked before the widget was up
  var launched = false; // the button was clicked before the widget was up
  var host, button;

  function fail(code, message) {
    console.error("Chatout: " + message);
    try {
      d.dispatchEvent(new CustomEvent("chatout:error", { detail: { code: code, message: message } }));
    } catch (e) { /* very old browsers: the console error is enough */ }
  }

  // The tag's attribute wins over the JSON block, as in the widget's own configuration.
  function setting(key) {
    var value = key in attributes ? attributes[key] : block[key];
    return value == null ? "" : String(value).trim();
  }

  // A plain chat, for when the widget could not load: wa.me takes international digits.
  function chat(text) {
    var digits = setting("phone").replace(/\D/g, "").replace(/^00/, "");
    w.open("https://wa.me/" + digits + (text ? "?text=" + encodeURIComponent(text) : ""), "_blank", "noopener");
  }

  function adopt(root) {
    try {
      var sheet = new CSSStyleSheet();
      sheet.replaceSync(CSS);
      root.adoptedStyleSheets = [sheet];
    } catch (e) {
      var style = d.createElement("style");
      style.textContent = CSS;
      root.appendChild(style);
    }
  }

  function render() {
    host = d.createElement("chatout-widget");
    host.id = "chatout-root";
    // No host-page rule (`* { all: unset !important }`, transforms, display:none) reaches it.
    host.style.setProperty("all", "initial", "important");
    host.setAttribute("data-theme", setting("theme") || "auto");
    var root = host.attachShadow({ mode: "open" });
    adopt(root);
    var box = d.createElement("div");
    box.className = "chatout chatout-" + (setting("position") === "left" ? "left" : "right");
    box.setAttribute("data-chatout-loader", "");
    button = d.createElement("button");
    button.type = "button";
    button.className = "chatout-launcher";
    // Language-neutral until the widget's own, translated button replaces this one.
    button.setAttribute("aria-label", "WhatsApp: " + setting("shop"));
    var svg = d.createElementNS(SVG, "svg");
    svg.setAttribute("viewBox", "0 0 32 32");
    svg.setAttribute("width", "30");
    svg.setAttribute("height", "30");
    svg.setAttribute("aria-hidden", "true");
    var path = d.createElementNS(SVG, "path");
    path.setAttribute("fill", "currentColor");
    path.setAttribute("d", ICON);
    svg.appendChild(path);
    button.appendChild(svg);
    button.addEventListener("click", function () {
      if (state === 3) return chat(setting("greeting"));
      launched = true;
      button.setAttribute("aria-busy", "true");
      load();
    });
    button.addEventListener("pointerenter", load);
    button.addEventListener("focus", load);
    box.appendChild(button);
    root.appendChild(box);
    d.body.appendChild(host);
  }

  // A file beside this one (the widget's glue and wasm, language tables, the QR module).
  function beside(name) {
    return new URL(name, base).href;
  }

  function load() {
    if (state) return;
    state = 1;
    // The language table is fetched beside the wasm, not after it. The widget checks that it
    // is for the language its configuration settles on, and fetches the right one otherwise.
    var language = (setting("locale") || navigator.language || "en").split(/[-_]/)[0].toLowerCase();
    w.__chatoutBoot = {
      attributes: attributes, json: json, browserLocale: navigator.language || null,
      textsLanguage: language,
      // For modules the widget loads later, such as the QR code on a computer.
      module: function (name) { return import(beside(name)); },
      texts: LANGUAGES.indexOf(language) < 0 ? null
        : fetch(beside("labels/" + language + ".json")).then(function (r) {
          if (!r.ok) throw new Error("HTTP " + r.status);
          return r.json();
        }),
    };
    // Handled by the widget; this only keeps a failure from also being an unhandled rejection.
    if (w.__chatoutBoot.texts) w.__chatoutBoot.texts.catch(function () {});
    var glue = beside("chatout-widget.js");
    var wasm = beside("chatout-widget_bg.wasm");
    // The wasm and the glue's own imports are fetched at the same time as the glue, not one
    // round trip after it; a failure surfaces through the glue's initialisation below.
    var response = fetch(wasm);
    response.catch(function () {});
    PRELOAD.forEach(function (name) { import(beside(name)).catch(function () {}); });
    import(glue)
      .then(function (module) { return module.default({ module_or_path: response }); })
      .then(ready, function (error) {
        state = 3;
        if (button) button.removeAttribute("aria-busy");
        fail("load_failed", "the widget could not be loaded from " + glue + " (" + error + "). " +
          "Check that the files are reachable, served with CORS, the wasm as application/wasm, " +
          "and that a Content-Security-Policy allows 'wasm-unsafe-eval'. The button opens a plain chat.");
        if (launched) chat(setting("greeting"));
        clicked.splice(0).forEach(function (hook) {
          if (hook.hasAttribute("data-chatout-chat")) chat(hook.getAttribute("data-message"));
        });
      });
  }

  // The widget is up: it replaced this button with its own. Hand it the clicks it missed.
  function ready() {
    state = 2;
    var widget = host && host.shadowRoot.querySelector(".chatout-launcher");
    if (!w.Chatout || !widget) return; // a configuration error, reported by the widget
    if (launched) {
      widget.focus();
      widget.click();
    }
    clicked.splice(0).forEach(function (hook) { hook.click(); });
  }

  function hookOf(event) {
    var target = event.target;
    return target && target.closest ? target.closest(HOOKS) : null;
  }

  // Until the widget is up, hook clicks are held (and replayed) instead of following links.
  d.addEventListener("click", function (event) {
    var hook = state !== 2 && hookOf(event);
    if (!hook) return;
    event.preventDefault();
    if (state === 3) {
      if (hook.hasAttribute("data-chatout-chat")) chat(hook.getAttribute("data-message"));
      return;
    }
    clicked.push(hook);
    load();
  }, true);
  ["pointerover", "focusin"].forEach(function (type) {
    d.addEventListener(type, function (event) {
      if (!state && hookOf(event)) load();
    }, { capture: true, passive: true });
  });

  function start() {
    // The JSON block may come after the script tag, so read it once the document is parsed.
    var element = d.getElementById("chatout-config");
    json = element ? element.textContent : null;
    try {
      var parsed = JSON.parse(json || "{}");
      if (parsed && typeof parsed === "object") block = parsed;
    } catch (e) { /* the widget names the problem when it loads */ }
    if (!setting("phone") || !setting("shop")) return load(); // the widget says what is missing
    render();
    if (setting("load") === "interaction") return;
    var idle = function () {
      if (w.requestIdleCallback) w.requestIdleCallback(load, { timeout: 3000 });
      else setTimeout(load, 200);
    };
    if (d.readyState === "complete") idle();
    else w.addEventListener("load", idle, { once: true });
  }

  if (d.readyState === "loading") d.addEventListener("DOMContentLoaded", start, { once: true });
  else start();
})();
