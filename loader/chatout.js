/*! Chatout loader: captures the script tag's configuration synchronously (document.currentScript
 * is gone once the wasm runs), then loads the widget module that sits next to this file.
 * Safe to include twice and with async; never throws into the host page. */
(function () {
  "use strict";
  var w = window;
  if (w.__chatoutLoaded) return;
  w.__chatoutLoaded = true;

  var script = document.currentScript;
  var attributes = {};
  if (script) {
    for (var i = 0; i < script.attributes.length; i++) {
      var a = script.attributes[i];
      // data-shipping-note -> shipping_note, as the JSON block spells it.
      if (a.name.indexOf("data-") === 0) attributes[a.name.slice(5).replace(/-/g, "_")] = a.value;
    }
  }
  var base = script && script.src ? script.src : document.baseURI;

  function fail(code, message) {
    console.error("Chatout: " + message);
    try {
      document.dispatchEvent(new CustomEvent("chatout:error", { detail: { code: code, message: message } }));
    } catch (e) { /* very old browsers: the console error is enough */ }
  }

  function start() {
    // The JSON block may come after the script tag, so read it once the document is parsed.
    var block = document.getElementById("chatout-config");
    w.__chatoutBoot = {
      attributes: attributes,
      json: block ? block.textContent : null,
      browserLocale: navigator.language || null
    };
    var glue = new URL("chatout-widget.js", base).href;
    var wasm = new URL("chatout-widget_bg.wasm", base).href;
    import(glue)
      .then(function (module) { return module.default({ module_or_path: wasm }); })
      .catch(function (error) {
        fail("load_failed", "the widget could not be loaded from " + glue + " (" + error + "). " +
          "Check that the files are reachable, served with CORS, the wasm as application/wasm, " +
          "and that a Content-Security-Policy allows 'wasm-unsafe-eval'.");
      });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start, { once: true });
  } else {
    start();
  }
})();
