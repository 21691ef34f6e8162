/*
 * Runs in a lesson page for an enrolled trainee. An activity in the lesson that records a
 * result without a page load (the H5P player) announces it with an "imh:activity-result"
 * event; this script then asks the server where the trainee stands on the lesson and, when
 * that changed (an activity passed, the lesson or the course completed), says so: in the
 * activity's own status line, which screen readers announce, and at the foot of the lesson,
 * where the "Mark as complete" button or the list of activities to pass was.
 */
(function () {
  "use strict";

  var box = document.querySelector("[data-lesson-feedback]");
  if (!box || !window.fetch) {
    return;
  }
  var url = box.dataset.url;
  var outstanding = parseInt(box.dataset.outstanding || "0", 10);
  var completed = box.dataset.completed === "true";
  var courseCompleted = false;
  var timer = null;
  var speakers = [];

  function paragraph(text) {
    var element = document.createElement("p");
    element.textContent = text;
    return element;
  }

  function show(data) {
    var changed =
      data.lesson_completed !== completed ||
      data.course_completed !== courseCompleted ||
      data.outstanding < outstanding;
    completed = data.lesson_completed;
    courseCompleted = data.course_completed;
    outstanding = data.outstanding;
    if (!changed) {
      return;
    }
    speakers.forEach(function (say) {
      say(data.message);
    });
    speakers = [];

    box.textContent = "";
    var panel = document.createElement("div");
    panel.className = data.lesson_completed ? "nhsuk-card nhsuk-card--feature" : "nhsuk-inset-text";
    var content = panel;
    if (data.lesson_completed) {
      content = document.createElement("div");
      content.className = "nhsuk-card__content nhsuk-card__content--feature";
      panel.appendChild(content);
    }
    content.appendChild(paragraph(data.message));
    if (data.link && data.link.url) {
      var link = document.createElement("a");
      link.href = data.link.url;
      link.textContent = data.link.text;
      var holder = document.createElement("p");
      holder.appendChild(link);
      content.appendChild(holder);
    }
    box.appendChild(panel);
    if (data.lesson_completed) {
      Array.prototype.forEach.call(
        document.querySelectorAll("[data-lesson-gate], .imh-complete-form"),
        function (element) {
          element.hidden = true;
        }
      );
    }
  }

  function refresh() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        return response.ok && type.indexOf("application/json") === 0 ? response.json() : null;
      })
      .then(function (data) {
        if (data && typeof data.message === "string") {
          show(data);
        }
      })
      .catch(function () {
        /* The page shows where the trainee stands when it is next loaded. */
      });
  }

  document.addEventListener("imh:activity-result", function (event) {
    var say = event.detail && event.detail.say;
    if (typeof say === "function" && speakers.indexOf(say) === -1) {
      speakers.push(say);
    }
    // An activity sends several statements at once: ask once they have all been recorded.
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 400);
  });
})();
