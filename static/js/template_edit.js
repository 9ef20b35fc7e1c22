// Live preview and SMS segment count of a notification text (staff template editor).
(function () {
  var sample = JSON.parse(document.getElementById("sample-values").textContent);
  var body = document.querySelector("[data-template-body]");
  var subject = document.getElementById("id_subject");
  var out = document.getElementById("preview-body"), outSubject = document.getElementById("preview-subject");
  var seg = document.getElementById("segments");
  var gsm = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüàΞ";
  var ext = "^{}\\[~]|€\f";
  function fill(t) { return t.replace(/\{([a-z_]+)\}/g, function (m, k) { return k in sample ? sample[k] : m; }); }
  function count(t) {
    var isGsm = true, units = 0, i;
    for (i = 0; i < t.length; i++) { var c = t[i]; if (gsm.indexOf(c) >= 0) units += 1; else if (ext.indexOf(c) >= 0) units += 2; else { isGsm = false; break; } }
    if (!isGsm) units = t.length;
    var single = isGsm ? 160 : 70, multi = isGsm ? 153 : 67;
    var n = units <= single ? (units ? 1 : 0) : Math.ceil(units / multi);
    return n + " × " + (isGsm ? "GSM-7" : "UCS-2") + " · " + units;
  }
  function update() {
    var text = fill(body.value); out.textContent = text;
    if (outSubject && subject) outSubject.textContent = fill(subject.value);
    if (seg) seg.textContent = count(text);
  }
  body.addEventListener("input", update); if (subject) subject.addEventListener("input", update);
})();
