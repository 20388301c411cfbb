// Progressive enhancement only: every page and form works without this file.
// - A form with data-progress="<id>" shows that progress element while it is being sent; a download
//   (data-download) is fetched in the background so the progress can end when the file is there.
// - After htmx swaps in new results, focus stays where it was and the live region announces the count.
"use strict";

document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.dataset.progress) return;
  var progress = document.getElementById(form.dataset.progress);
  if (progress) progress.hidden = false;
  if (!form.hasAttribute("data-download") || !window.fetch) return;
  event.preventDefault();
  var button = form.querySelector("button[type=submit]");
  if (button) button.disabled = true;
  var method = (form.getAttribute("method") || "get").toUpperCase();
  var url = form.action;
  var init = { method: method, credentials: "same-origin" };
  if (method === "GET") {
    url += (url.indexOf("?") < 0 ? "?" : "&") + new URLSearchParams(new FormData(form)).toString();
  } else {
    init.body = new FormData(form);
  }
  fetch(url, init).then(function (response) {
    // Refused (a page with the reasons, not a file): send the form the ordinary way to show that page.
    if (!response.ok) { form.removeAttribute("data-download"); form.submit(); return null; }
    var disposition = response.headers.get("Content-Disposition") || "";
    var match = /filename="?([^";]+)"?/.exec(disposition);
    return response.blob().then(function (blob) {
      var link = document.createElement("a");
      link.href = URL.createObjectURL(blob);
      link.download = match ? match[1] : "download";
      document.body.appendChild(link);
      link.click();
      setTimeout(function () { URL.revokeObjectURL(link.href); link.remove(); }, 1000);
    });
  }).finally(function () {
    if (progress) progress.hidden = true;
    if (button) button.disabled = false;
  });
});

// An error summary takes focus when a refused form comes back, so screen readers read it first.
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.getElementById("foutmeldingen");
  if (summary) summary.focus();
});

// A print button where printing is the point (the period report); without JavaScript the browser's own print.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
});
