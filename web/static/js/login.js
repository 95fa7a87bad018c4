// "Đăng nhập": the user guide's dialog ("Một hộp thoại hiện lên…", web/templates/accounts/
// _login_dialog.html). A script file, not inline: the Content-Security-Policy
// (web/security_headers.py) allows no inline script. Without JavaScript, or in a browser
// without <dialog>, the menu's link leads to the login page as any link does; a link
// opened in a new tab (Ctrl, Shift, the middle button) does too.
//
// The page carries no CSRF token (an anonymous page is the same for everyone): the
// session's is fetched when the dialog first opens; if that fails, the login page opens.
// Focus: into "Tên truy cập" on opening; Escape (the browser's own) or "Bỏ qua" closes;
// focus goes back to the link.
(function () {
  "use strict";
  var link = document.querySelector("a[data-login-dialog]");
  var dialog = link && document.getElementById(link.getAttribute("data-login-dialog"));
  if (!dialog || typeof dialog.showModal !== "function" || !window.fetch) return;
  var form = dialog.querySelector("form");
  var token = document.createElement("input");
  token.type = "hidden";
  token.name = "csrf_token";
  var username = form.querySelector('input[name="username"]');

  function open() {
    dialog.showModal();
    username.focus();
  }

  link.addEventListener("click", function (event) {
    if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    if (token.value) { open(); return; }
    fetch(form.getAttribute("data-token-url"), {credentials: "same-origin", headers: {Accept: "application/json"}})
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (data) {
        token.value = data.csrf_token;
        form.appendChild(token);
        open();
      })
      .catch(function () { window.location.href = link.href; });
  });
  dialog.querySelector("[data-close-dialog]").addEventListener("click", function () { dialog.close(); });
  dialog.addEventListener("close", function () { link.focus(); });
})();
