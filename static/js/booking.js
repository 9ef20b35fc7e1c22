// Booking page: show the times in the browser's zone unless the person chose one (one
// reload, only when the page was drawn in another zone; atrium.js remembers the zone).
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var line = document.querySelector("[data-booking-tz]");
    if (!line) { return; }
    var params = new URLSearchParams(window.location.search);
    if (params.has("tz") || params.has("start")) { return; }
    var tz = "";
    try { tz = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { tz = ""; }
    if (tz && tz !== line.dataset.current) {
      params.set("tz", tz);
      window.location.replace(window.location.pathname + "?" + params.toString());
    }
  });
})();

// The month: a day shows its times, a time shows the summary and the form, both in place
// (without JavaScript each is a link that draws the same page with it). The month's times
// come with the page (#booking-month-data): [shown time, wall clock with offset, staff ids].
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var month = document.querySelector("[data-booking-month]");
    var times = document.getElementById("times");
    var source = document.getElementById("booking-month-data");
    var details = document.querySelector("[data-details]");
    if (!month || !times || !source) { return; }
    var data = JSON.parse(source.textContent);
    var keep = new URLSearchParams(window.location.search);
    ["date", "start", "month"].forEach(function (k) { keep.delete(k); });
    function who(ids) {
      if (data.person) { return data.names[data.person] || ""; }
      var names = ids.map(function (i) { return data.names[String(i)] || ""; });
      return names.length === 1 ? names[0] : data.anyone.replace("%(names)s", names.join(", "));
    }
    // The reschedule page: each time is a small form posting it (#slot-form-template).
    var slotForm = document.getElementById("slot-form-template");
    function slotButton(day, t, secondary) {
      var li = slotForm.content.firstElementChild.cloneNode(true);
      li.querySelector("input[name=start]").value = day + "T" + t[1];
      var button = li.querySelector("button");
      button.textContent = t[0];
      if (secondary) { button.classList.add("secondary"); }
      return li;
    }
    function slotLink(day, t) {
      if (data.post && slotForm) { return slotButton(day, t, false); }
      var a = document.createElement("a");
      var q = new URLSearchParams(keep);
      q.set("start", day + "T" + t[1]);
      a.className = "button slot";
      a.href = "?" + q.toString() + "#details";
      a.dataset.p = t[2].join(" ");
      a.textContent = t[0];
      var li = document.createElement("li");
      li.appendChild(a);
      return li;
    }
    month.addEventListener("click", function (ev) {
      var link = ev.target.closest("a[data-day]");
      if (!link || !(data.days[link.dataset.day] || (data.moving || {})[link.dataset.day])) { return; }
      ev.preventDefault();
      var heading = document.createElement("h2");
      heading.className = "day-heading";
      var label = link.getAttribute("aria-label") || "";
      heading.textContent = label.charAt(0).toUpperCase() + label.slice(1);
      var list = document.createElement("ul");
      list.className = "slots";
      list.dataset.slots = "";
      (data.days[link.dataset.day] || []).forEach(function (t) { list.appendChild(slotLink(link.dataset.day, t)); });
      var parts = [heading, list];
      var later = (data.moving || {})[link.dataset.day];
      var laterHeading = document.getElementById("moving-heading-template");
      if (later && later.length && slotForm && laterHeading) {
        // A package step: later times move the later appointments too (after confirming).
        laterHeading.content.childNodes.forEach(function (n) { parts.push(n.cloneNode(true)); });
        var moving = document.createElement("ul");
        moving.className = "slots";
        moving.dataset.movingSlots = "";
        later.forEach(function (t) { moving.appendChild(slotButton(link.dataset.day, t, true)); });
        parts.push(moving);
      }
      times.replaceChildren.apply(times, parts);
      month.querySelectorAll("a[data-day]").forEach(function (a) {
        a.classList.toggle("current", a === link);
        if (a === link) { a.setAttribute("aria-current", "date"); } else { a.removeAttribute("aria-current"); }
      });
      if (details && details.dataset.package === undefined) { details.hidden = true; }
      times.scrollIntoView({ block: "start" });
    });
    if (!details || details.dataset.package !== undefined) { return; }  // a package's plan is drawn by the server
    times.addEventListener("click", function (ev) {
      var slot = ev.target.closest("a.slot");
      if (!slot) { return; }
      ev.preventDefault();
      var heading = times.querySelector(".day-heading");
      details.querySelector("[data-start-input]").value = new URL(slot.href).searchParams.get("start");
      details.querySelector("[data-when]").textContent =
        (heading ? heading.textContent + ", " : "") + slot.textContent;
      var person = details.querySelector("[data-person]");
      if (person) { person.textContent = who((slot.dataset.p || "").split(" ").filter(Boolean)); }
      times.querySelectorAll("a.slot").forEach(function (a) { a.classList.toggle("current", a === slot); });
      details.hidden = false;
      details.scrollIntoView({ block: "start" });
    });
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
