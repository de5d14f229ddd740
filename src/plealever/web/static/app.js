// The editor's behaviour: field errors updated only where they change, the last valid worksheet kept
// (greyed) while fields are in error, inputs the browser cannot parse reported instead of dropped,
// an unsaved-changes warning, Ctrl+S, and a recompute from the form after Back.
(function () {
  "use strict";
  var form = document.getElementById("editor");
  var dirty = false;

  function setDirty(value) {
    dirty = value;
    var flag = document.getElementById("dirty");
    if (flag) flag.hidden = !value;
  }

  function say(text) {
    var live = document.getElementById("live");
    if (live && text && live.textContent !== text) live.textContent = text;
  }

  // Field errors arrive as <div id="field-errors"><span data-for="e-ID">message</span>...</div>.
  function applyErrors() {
    var box = document.getElementById("field-errors");
    if (!box || !form) return;
    var wanted = {};
    box.querySelectorAll("span[data-for]").forEach(function (s) { wanted[s.dataset.for] = s.textContent; });
    document.querySelectorAll("span.error[id^='e-'], p.error[id^='e-']").forEach(function (region) {
      var text = wanted[region.id] || "";
      if (region.textContent !== text) region.textContent = text;
      var control = document.getElementById(region.id.slice(2));
      if (control && control.matches("input, select, textarea, fieldset")) {
        if (text) control.setAttribute("aria-invalid", "true");
        else control.removeAttribute("aria-invalid");
      }
    });
    var count = parseInt(box.dataset.count || "0", 10);
    var sheet = document.getElementById("worksheet");
    if (sheet) sheet.classList.toggle("stale", count > 0);
    say(box.dataset.live || "");
  }

  function unreadable() {
    var names = [];
    if (!form) return names;
    form.querySelectorAll("input").forEach(function (el) {
      if (el.validity && el.validity.badInput && el.name) names.push(el.name);
    });
    return names;
  }

  function controlsChanged() {
    if (!form) return false;
    return Array.prototype.some.call(form.elements, function (el) {
      if (el.type === "hidden" || el.type === "button" || el.type === "submit") return false;
      if (el.type === "checkbox" || el.type === "radio") return el.checked !== el.defaultChecked;
      if (el.tagName === "SELECT") {
        return Array.prototype.some.call(el.options, function (o) { return o.selected !== o.defaultSelected; })
          && !(el.selectedIndex === 0 && !Array.prototype.some.call(el.options, function (o) { return o.defaultSelected; }));
      }
      return el.value !== el.defaultValue || (el.validity && el.validity.badInput);
    });
  }

  document.body.addEventListener("htmx:configRequest", function (evt) {
    var toolbar = document.getElementById("toolbar");
    if (!form || !(form.contains(evt.detail.elt) || (toolbar && toolbar.contains(evt.detail.elt)))) return;
    var bad = unreadable();
    lastBad = bad.join(",");
    if (bad.length) evt.detail.parameters["__bad"] = lastBad;
  });

  document.body.addEventListener("htmx:beforeOnLoad", function (evt) {
    var xhr = evt.detail.xhr;
    if (xhr && xhr.getResponseHeader("HX-Redirect") && xhr.status < 300) setDirty(false);
  });

  document.body.addEventListener("htmx:afterSettle", function (evt) {
    applyErrors();
    var focusHolder = document.querySelector("[data-focus]");
    if (focusHolder) {
      var target = document.getElementById(focusHolder.dataset.focus);
      focusHolder.removeAttribute("data-focus");
      if (target) target.focus();
    }
    var elt = evt.detail.elt;
    if (form && elt && elt.classList && elt.classList.contains("list")) {
      setDirty(true);
      htmx.trigger(form, "recompute");
    }
  });
  document.body.addEventListener("htmx:oobAfterSwap", applyErrors);

  // A date or number the browser cannot read fires no input event (its value stays ""), so look for
  // one after each key and when focus leaves, and recompute: the server then names the field.
  var lastBad = "";
  function checkUnreadable() {
    var now = unreadable().join(",");
    if (now !== lastBad) {
      lastBad = now;
      setDirty(true);
      htmx.trigger(form, "recompute");
    }
  }

  if (form) {
    form.addEventListener("keyup", checkUnreadable);
    form.addEventListener("focusout", checkUnreadable);
    form.addEventListener("input", function () { setDirty(true); });
    form.addEventListener("change", function () { setDirty(true); });
    window.addEventListener("beforeunload", function (evt) {
      if (!dirty) return;
      evt.preventDefault();
      evt.returnValue = "";
    });
    document.addEventListener("keydown", function (evt) {
      if ((evt.ctrlKey || evt.metaKey) && !evt.altKey && (evt.key === "s" || evt.key === "S")) {
        evt.preventDefault();
        var save = document.getElementById("save");
        if (save) save.click();
      }
    });
    // After Back (or a reload) the browser may restore edited values the page did not render:
    // recompute the worksheet from the form, so the two never disagree.
    window.addEventListener("pageshow", function () {
      if (controlsChanged()) {
        setDirty(true);
        htmx.trigger(form, "recompute");
      }
    });
  }

  // A progress note on links to slow pages and downloads.
  document.addEventListener("click", function (evt) {
    var link = evt.target.closest && evt.target.closest("a[data-slow]");
    if (!link) return;
    var note = document.getElementById("progress");
    if (!note) return;
    note.textContent = link.dataset.slow;
    note.hidden = false;
    if (link.hasAttribute("download")) setTimeout(function () { note.hidden = true; }, 8000);
  });
  window.addEventListener("pageshow", function () {
    var note = document.getElementById("progress");
    if (note) note.hidden = true;
  });
})();
