/* The drawn signature on the engagement letter page (optional, spec intake.md §6): a
   canvas the client draws on with a finger, a pen or a mouse. Its PNG goes into a hidden
   field as a data URL; the server checks it again (type, size) and re-encodes it, and
   the letter signs the same without it. The pad stays hidden without this script.
   No inline script: works under script-src 'self'. */
(function () {
  "use strict";
  var pad = document.querySelector("[data-signature-pad]");
  if (!pad) { return; }
  var canvas = pad.querySelector("canvas");
  var field = document.getElementById(pad.getAttribute("data-field"));
  var clear = pad.querySelector("[data-signature-clear]");
  if (!canvas || !canvas.getContext || !field || !field.form) { return; }
  var ctx = canvas.getContext("2d");
  var drawing = false, drawn = false, last = null, width = 0;

  function setUp() {
    var ratio = Math.min(Math.max(window.devicePixelRatio || 1, 1), 3);
    width = canvas.clientWidth;
    canvas.width = Math.round(canvas.clientWidth * ratio);
    canvas.height = Math.round(canvas.clientHeight * ratio);
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.lineWidth = 2.4;
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    ctx.strokeStyle = "#111";
    ctx.fillStyle = "#111";
    drawn = false;
    field.value = "";
  }
  function at(event) {
    var box = canvas.getBoundingClientRect();
    return { x: event.clientX - box.left, y: event.clientY - box.top };
  }
  function keep() { field.value = drawn ? canvas.toDataURL("image/png") : ""; }

  canvas.addEventListener("pointerdown", function (event) {
    event.preventDefault();
    drawing = true;
    last = at(event);
    if (canvas.setPointerCapture) { canvas.setPointerCapture(event.pointerId); }
    ctx.beginPath();
    ctx.arc(last.x, last.y, ctx.lineWidth / 2, 0, 2 * Math.PI);
    ctx.fill();
    drawn = true;
  });
  canvas.addEventListener("pointermove", function (event) {
    if (!drawing) { return; }
    event.preventDefault();
    var point = at(event);
    ctx.beginPath();
    ctx.moveTo(last.x, last.y);
    ctx.lineTo(point.x, point.y);
    ctx.stroke();
    last = point;
  });
  ["pointerup", "pointercancel", "pointerleave"].forEach(function (name) {
    canvas.addEventListener(name, function () {
      if (drawing) { drawing = false; keep(); }
    });
  });
  if (clear) {
    clear.addEventListener("click", function () {
      ctx.clearRect(0, 0, canvas.width, canvas.height);
      drawn = false;
      keep();
    });
  }
  field.form.addEventListener("submit", keep);
  // A phone's keyboard changes the height, not the width: only a new width starts over.
  window.addEventListener("resize", function () {
    if (canvas.clientWidth !== width && !drawn) { setUp(); }
  });
  pad.hidden = false;
  setUp();
})();
