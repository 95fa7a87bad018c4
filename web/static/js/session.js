/* A warning before the signed-in session ends, on a form page (dossiers/edit.html, steps.html).
 *
 * The page says in words when the session ends (#session-end, for everyone, with or
 * without JavaScript) and how many seconds are left (data-session-seconds, counted from
 * the page's load, so the visitor's clock does not matter). WARN_SECONDS before that,
 * this script shows a warning (role="alert") with a "Lưu nháp" button that presses the
 * form's own draft button (data-draft), so nothing typed is lost. Its texts come from
 * the page (data-warning, data-expired), translated there. Plain ES2017.
 */
(function () {
  "use strict";

  var WARN_SECONDS = 5 * 60;

  function start() {
    var notice = document.getElementById("session-end");
    var draft = document.querySelector("[data-draft]");
    if (!notice || !draft) return;
    var left = parseInt(notice.getAttribute("data-session-seconds"), 10);
    if (isNaN(left)) return;
    var loaded = Date.now();
    var box = null;

    function show(text) {
      if (!box) {
        box = document.createElement("div");
        box.className = "notice session-warning";
        box.setAttribute("role", "alert");
        box.id = "session-warning";
        var message = document.createElement("p");
        var button = document.createElement("button");
        button.type = "button";
        button.textContent = draft.textContent;
        button.addEventListener("click", function () { draft.click(); });
        box.appendChild(message);
        box.appendChild(button);
        // Just above the buttons, below the notice it follows up.
        notice.parentNode.insertBefore(box, notice.nextSibling);
      }
      box.querySelector("p").textContent = text;
    }

    function tick() {
      var remaining = left - (Date.now() - loaded) / 1000;
      if (remaining <= 0) {
        show(notice.getAttribute("data-expired") || "");
        return;
      }
      if (remaining <= WARN_SECONDS) {
        show((notice.getAttribute("data-warning") || "").replace("{minutes}", String(Math.ceil(remaining / 60))));
      }
      window.setTimeout(tick, Math.min(30000, Math.max(1000, (remaining - WARN_SECONDS) * 1000)));
    }
    tick();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
