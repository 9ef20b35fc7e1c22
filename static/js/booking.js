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
