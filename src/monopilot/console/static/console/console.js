// Small behaviours of the console; everything works without it, only less comfortably.
(function () {
  "use strict";
  function on(sel, ev, fn) {
    document.addEventListener(ev, function (e) {
      var t = e.target.closest(sel);
      if (t) fn(e, t);
    });
  }
  // hamburger navigation (375 px)
  on("[data-toggle-nav]", "click", function (e, btn) {
    var open = document.body.classList.toggle("nav-open");
    btn.setAttribute("aria-expanded", open ? "true" : "false");
  });
  // organisation switcher submits on change
  on("[data-autosubmit]", "change", function (e, el) { el.form.submit(); });
  // copy-to-clipboard buttons: data-copy="#id-of-element"
  on("[data-copy]", "click", function (e, btn) {
    var src = document.querySelector(btn.getAttribute("data-copy"));
    if (!src) return;
    var text = src.value !== undefined && src.tagName === "INPUT" ? src.value : src.textContent.trim();
    var done = function () {
      var label = btn.getAttribute("data-copied") || "Copied";
      var before = btn.textContent;
      btn.textContent = label;
      setTimeout(function () { btn.textContent = before; }, 1800);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, function () { fallback(text); done(); });
    } else { fallback(text); done(); }
  });
  function fallback(text) {
    var ta = document.createElement("textarea");
    ta.value = text; ta.setAttribute("readonly", ""); ta.style.position = "fixed"; ta.style.opacity = "0";
    document.body.appendChild(ta); ta.select();
    try { document.execCommand("copy"); } catch (err) { /* nothing else to try */ }
    document.body.removeChild(ta);
  }
  // confirmation for destructive forms: data-confirm="text"
  on("form[data-confirm]", "submit", function (e, form) {
    if (e.submitter && e.submitter.hasAttribute("data-confirm")) return;  // asked on click
    if (!window.confirm(form.getAttribute("data-confirm"))) e.preventDefault();
  });
  on("button[data-confirm]", "click", function (e, btn) {
    if (!window.confirm(btn.getAttribute("data-confirm"))) e.preventDefault();
  });
  // "select all" checkbox for bulk tables
  on("[data-select-all]", "change", function (e, box) {
    var scope = box.closest("form") || document;
    scope.querySelectorAll("input[name='" + box.getAttribute("data-select-all") + "']").forEach(function (c) { c.checked = box.checked; });
  });
  // picking a date means a custom range (capture phase: before htmx reads the form)
  document.addEventListener("change", function (e) {
    if (!e.target.matches || !e.target.matches("[data-custom-range]")) return;
    var range = document.getElementById(e.target.getAttribute("data-custom-range"));
    if (range) range.value = "custom";
  }, true);
  // toasts fade out
  function ageToasts() {
    document.querySelectorAll(".toast:not([data-aging])").forEach(function (t) {
      t.setAttribute("data-aging", "1");
      setTimeout(function () { t.remove(); }, 6000);
    });
  }
  document.addEventListener("DOMContentLoaded", ageToasts);
  document.addEventListener("htmx:afterSettle", ageToasts);
})();
