// Small progressive enhancements; every page works without them.
(function () {
  "use strict";
  function cookie(name) {
    var m = document.cookie.match(new RegExp("(?:^|; )" + name + "=([^;]*)"));
    return m ? decodeURIComponent(m[1]) : null;
  }
  document.addEventListener("DOMContentLoaded", function () {
    // The language switcher applies on change; its button stays for keyboards and no-JS.
    document.querySelectorAll("form[data-autosubmit] select").forEach(function (sel) {
      sel.addEventListener("change", function () { sel.form.submit(); });
    });
    // Tell the server the browser's time zone once, so times are shown in it.
    var tz = "";
    try { tz = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { tz = ""; }
    if (tz && !cookie("atrium_tz")) {
      var body = new URLSearchParams({ time_zone: tz });
      fetch("/i18n/time-zone/", { method: "POST", body: body, credentials: "same-origin",
        headers: { "X-CSRFToken": cookie("csrftoken") || "" } }).then(function (r) {
          if (r.ok && document.body.dataset.reloadOnTz !== undefined) { window.location.reload(); }
        });
    }
    document.querySelectorAll("input[data-detect-tz]").forEach(function (input) {
      if (!input.value && tz) { input.value = tz; }
    });
  });
})();
