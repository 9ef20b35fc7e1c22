/* Intake forms: save as the person types, show conditional questions live, add party
   rows. The server decides again on every POST (visibility, validation), so the page
   works the same without this script. No inline script: works under script-src 'self'. */
(function () {
  "use strict";
  var form = document.querySelector("form.intake-form");
  if (!form) { return; }

  function values() {
    var out = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.disabled) { return; }
      if ((el.type === "checkbox" || el.type === "radio") && !el.checked) { return; }
      var v = el.type === "checkbox" && el.value === "on" ? true : el.value;
      if (out[el.name] === undefined) { out[el.name] = v; }
      else { out[el.name] = [].concat(out[el.name], v); }
    });
    return out;
  }
  function answered(v) { return !(v === undefined || v === "" || v === null || (v.length === 0)); }
  function clause(c, vals) {
    var v = vals[c.field], list = [].concat(v === undefined ? [] : v).map(String);
    var wanted = [].concat(c.value === undefined ? [] : c.value).map(String);
    switch (c.op) {
      case "answered": return answered(v);
      case "not_answered": return !answered(v);
      case "eq": return list.indexOf(String(c.value)) >= 0;
      case "neq": return list.indexOf(String(c.value)) < 0;
      case "in": return list.some(function (x) { return wanted.indexOf(x) >= 0; });
      case "not_in": return !list.some(function (x) { return wanted.indexOf(x) >= 0; });
      case "gt": return parseFloat(list[0]) > parseFloat(c.value);
      case "lt": return parseFloat(list[0]) < parseFloat(c.value);
    }
    return false;
  }
  function applyConditions() {
    // In order: a hidden question's answer does not count for the ones after it.
    var nodes = form.querySelectorAll(".question");
    var vals = values();
    Array.prototype.forEach.call(nodes, function (node) {
      var rule = node.getAttribute("data-visible-if");
      var show = true;
      if (rule) {
        try {
          var cond = JSON.parse(rule), mode = cond.all ? "all" : "any", list = cond[mode] || [];
          var results = list.map(function (c) { return clause(c, vals); });
          show = mode === "all" ? results.every(Boolean) : results.some(Boolean);
        } catch (e) { show = true; }
      }
      node.hidden = !show;
      if (!show) {
        Array.prototype.forEach.call(node.querySelectorAll("[name]"), function (el) {
          delete vals[el.name];
        });
      }
    });
  }

  var status = form.querySelector("[data-save-status]");
  var timer = null, saving = false, again = false;
  function save() {
    if (!form.hasAttribute("data-autosave") || !window.fetch) { return; }
    if (saving) { again = true; return; }
    saving = true;
    var data = new FormData(form);
    data.set("_autosave", "1");
    // Files go with the final send only: autosave keeps the typed answers.
    Array.prototype.forEach.call(form.querySelectorAll("input[type=file]"), function (input) {
      data.delete(input.name);
    });
    if (status) { status.textContent = form.getAttribute("data-saving-text") || ""; }
    var token = form.querySelector("[name=csrfmiddlewaretoken]");
    fetch(form.action, {
      method: "POST", body: data, credentials: "same-origin",
      headers: {"X-CSRFToken": token ? token.value : "", "X-Requested-With": "fetch"}
    }).then(function (r) { return r.json(); }).then(function (body) {
      if (body && body.saved) {
        if (status) { status.textContent = form.getAttribute("data-saved-text") || ""; }
        if (body.url && body.url !== form.getAttribute("action")) {
          form.setAttribute("action", body.url);
          if (window.history && history.replaceState) { history.replaceState(null, "", body.url); }
        }
      }
    }).catch(function () {}).then(function () {
      saving = false;
      if (again) { again = false; save(); }
    });
  }
  function changed() {
    applyConditions();
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(save, 800);
  }
  form.addEventListener("input", changed);
  form.addEventListener("change", changed);

  Array.prototype.forEach.call(form.querySelectorAll("[data-add-party]"), function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var box = button.parentNode, rows = box.querySelectorAll(".party-row");
      if (rows.length >= 20) { return; }
      var copy = rows[rows.length - 1].cloneNode(true);
      Array.prototype.forEach.call(copy.querySelectorAll("input"), function (el) { el.value = ""; });
      box.insertBefore(copy, button);
      var first = copy.querySelector("input");
      if (first) { first.focus(); }
    });
  });
  applyConditions();
})();
