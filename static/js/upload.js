// Upload progress for the uploads page. Without JavaScript the form posts normally and the
// result page follows; with it, people see the bytes going up and then the server loading rows.
(function () {
  "use strict";
  if (!window.FormData || !window.XMLHttpRequest || !window.DOMParser) return;

  function samePage(url) {
    return url.split("?")[0] === window.location.href.split("?")[0];
  }

  function enhance() {
    var form = document.getElementById("upload-form");
    if (!form) return;
    var box = document.getElementById("upload-progress");
    var bar = document.getElementById("upload-bar");
    var status = document.getElementById("upload-status");
    var submit = document.getElementById("upload-submit");

    function show(text, value) {
      box.hidden = false;
      status.textContent = text;
      if (value === null) bar.removeAttribute("value"); // indeterminate: the server is working
      else bar.value = value;
    }

    form.addEventListener("submit", function (event) {
      var file = form.querySelector("input[type=file]");
      if (!file.files.length) return; // let the server say what is missing
      event.preventDefault();
      var limit = Number(form.dataset.maxBytes || 0);
      if (limit && file.files[0].size > limit) {
        // Refused here rather than after minutes of uploading; the server refuses it too.
        show(file.files[0].name + " is larger than " + Math.round(limit / 1e6) +
          " MB. Export a shorter date range.", 0);
        return;
      }
      submit.disabled = true;
      show("Uploading " + file.files[0].name + "…", 0);
      var request = new XMLHttpRequest();
      request.open("POST", form.action || window.location.href);
      request.upload.addEventListener("progress", function (e) {
        if (!e.lengthComputable) return;
        var percent = Math.round((e.loaded / e.total) * 100);
        show("Uploading… " + percent + "%", percent);
      });
      request.upload.addEventListener("load", function () {
        show("Uploaded. Checking and loading the rows…", null);
      });
      request.addEventListener("load", function () {
        // A loaded file redirects to its result page; a refused one comes back as this page
        // with the reason, which replaces the current content.
        if (request.responseURL && !samePage(request.responseURL)) {
          window.location.assign(request.responseURL);
          return;
        }
        var page = new DOMParser().parseFromString(request.responseText, "text/html");
        var content = page.getElementById("content");
        if (!content) {
          window.location.reload();
          return;
        }
        document.getElementById("content").replaceWith(content);
        enhance();
        var error = content.querySelector("[role=alert]");
        if (error) error.scrollIntoView({ block: "center" });
        var input = content.querySelector("input[type=file]");
        if (input) input.focus();
      });
      request.addEventListener("error", function () {
        submit.disabled = false;
        show("The upload did not reach the server. Check your connection and try again.", 0);
      });
      request.send(new FormData(form));
    });
  }

  enhance();
})();
