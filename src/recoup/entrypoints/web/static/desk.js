// recoup desk: the little the pages need beyond HTMX.
// An error answered to an HTMX request without a place to go shows in the flash area.
document.addEventListener("htmx:responseError", function (event) {
  var flash = document.getElementById("flash");
  var xhr = event.detail.xhr;
  if (!flash || !xhr || event.detail.target === flash) return;
  if (xhr.status === 401) { window.location = "/login?next=" + encodeURIComponent(location.pathname); return; }
  var box = document.createElement("div");
  box.className = "alert error";
  box.setAttribute("role", "alert");
  box.textContent = "That did not work (" + xhr.status + "). Reload the page and try again.";
  flash.replaceChildren(box);
});
// After a change swaps the case in, the notice or the error is brought into view.
document.addEventListener("htmx:afterSwap", function (event) {
  var shown = event.detail.target && event.detail.target.querySelector
    ? document.querySelector("#case .field-error, #case .alert") : null;
  if (shown && shown.getBoundingClientRect().top < 0) shown.scrollIntoView({ block: "center" });
});
