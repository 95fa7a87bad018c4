// "In phiếu": a button that prints its page. A script file, not an onclick attribute,
// because the Content-Security-Policy (web/security_headers.py) allows no inline script.
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.addEventListener("click", function () { window.print(); });
});
