// Booking page: use the browser's time zone unless the person chose one.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var select = document.querySelector("select[data-booking-tz]");
    if (!select) { return; }
    select.addEventListener("change", function () { select.form.submit(); });
    var params = new URLSearchParams(window.location.search);
    if (params.has("tz")) { return; }
    var tz = "";
    try { tz = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { tz = ""; }
    if (tz && tz !== select.dataset.current &&
        Array.prototype.some.call(select.options, function (o) { return o.value === tz; })) {
      params.set("tz", tz);
      window.location.replace(window.location.pathname + "?" + params.toString());
    }
  });
})();

// "Finish your booking": count down to the end of the hold, then show the page again
// (the server says whether the time is still kept).
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var el = document.querySelector("[data-countdown]");
    if (!el) { return; }
    var end = Date.now() + 1000 * (parseInt(el.dataset.seconds, 10) || 0);
    function tick() {
      var left = Math.max(0, Math.round((end - Date.now()) / 1000));
      var seconds = left % 60;
      el.textContent = Math.floor(left / 60) + ":" + (seconds < 10 ? "0" : "") + seconds;
      if (left === 0) {
        window.clearInterval(timer);
        window.setTimeout(function () { window.location.reload(); }, 1500);
      }
    }
    var timer = window.setInterval(tick, 1000);
    tick();
  });
})();
