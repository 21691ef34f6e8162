/*
 * Runs in the lesson page. Each H5P block holds a sandboxed frame with the player; this
 * script is the only thing that talks to the server for it: it loads the learner's saved
 * state, starts the player with it, and records the statements and state the player sends,
 * with the learner's session and CSRF token. Messages are accepted only from the block's
 * own frame and only in the expected shape.
 */
(function () {
  "use strict";

  if (window.imhH5PHost) {
    return;
  }
  window.imhH5PHost = true;

  var XAPI_VERSION = "1.0.3";
  var STATE_ID = "h5p-state";
  var MAX_HEIGHT = 20000;

  function uuid4() {
    if (window.crypto && window.crypto.randomUUID) {
      return window.crypto.randomUUID();
    }
    var bytes = window.crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map
      .call(bytes, function (b) {
        return (b < 16 ? "0" : "") + b.toString(16);
      })
      .join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
  }

  function isObject(value) {
    return value !== null && typeof value === "object" && !Array.isArray(value);
  }

  function setUp(root) {
    var frame = root.querySelector("iframe");
    var status = root.querySelector("[data-h5p-status]");
    var tokenInput = root.querySelector("input[name=csrfmiddlewaretoken]");
    var activityIri = root.dataset.activityIri;
    var statementsUrl = root.dataset.statementsUrl;
    var stateUrl = root.dataset.stateUrl;
    var agent = JSON.parse(root.dataset.agent);
    var queue = Promise.resolve();

    function say(text) {
      if (status) {
        status.textContent = text;
      }
    }

    // The page gives the messages in its language (data-* on the status line); English if not.
    function message(name, english) {
      return (status && status.dataset[name]) || english;
    }

    function headers() {
      return {
        "Content-Type": "application/json",
        "X-CSRFToken": tokenInput ? tokenInput.value : "",
        "X-Experience-API-Version": XAPI_VERSION,
      };
    }

    function stateQuery() {
      return (
        stateUrl +
        "?activityId=" + encodeURIComponent(activityIri) +
        "&stateId=" + encodeURIComponent(STATE_ID)
      );
    }

    function about(iri) {
      return typeof iri === "string" && (iri === activityIri || iri.indexOf(activityIri + "?") === 0);
    }

    function valid(statement) {
      return (
        isObject(statement) &&
        isObject(statement.verb) &&
        typeof statement.verb.id === "string" &&
        isObject(statement.object) &&
        about(statement.object.id) &&
        (statement.result === undefined || isObject(statement.result))
      );
    }

    function send(statement, attempt) {
      return fetch(statementsUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: headers(),
        body: JSON.stringify(statement),
      }).then(
        function (response) {
          if (response.ok) {
            if (statement.result && statement.result.score) {
              say(message("saved", "Your answer has been saved."));
            }
            if (isObject(statement.result)) {
              announce(statement);
            }
            return;
          }
          if (response.status >= 500 && attempt < 3) {
            return retry(statement, attempt);
          }
          return response.json().then(
            function (body) {
              say(body.error || message("notSaved", "Your answer could not be saved."));
            },
            function () {
              say(message("notSaved", "Your answer could not be saved."));
            }
          );
        },
        function () {
          if (attempt < 3) {
            return retry(statement, attempt);
          }
          say(
            message("offline", "Your answer could not be saved. Check your connection and try again.")
          );
        }
      );
    }

    // Tells the page hosting the lesson that a result is recorded, so it can say what that
    // means for the lesson (see courses' lesson-feedback.js); ``say`` lets it speak in this
    // activity's status line, which screen readers announce.
    function announce(statement) {
      var event;
      var detail = { activityIri: activityIri, verb: statement.verb.id, say: say };
      try {
        event = new CustomEvent("imh:activity-result", { bubbles: true, detail: detail });
      } catch (error) {
        return;
      }
      root.dispatchEvent(event);
    }

    function retry(statement, attempt) {
      return new Promise(function (resolve) {
        window.setTimeout(resolve, 1000 * (attempt + 1));
      }).then(function () {
        // The same id again: the server stores a statement once.
        return send(statement, attempt + 1);
      });
    }

    function record(statement) {
      var copy = JSON.parse(JSON.stringify(statement));
      copy.actor = agent;
      if (typeof copy.id !== "string") {
        copy.id = uuid4();
      }
      if (!copy.timestamp) {
        copy.timestamp = new Date().toISOString();
      }
      copy.context = isObject(copy.context) ? copy.context : {};
      copy.context.platform = copy.context.platform || "IMH Learning";
      queue = queue.then(function () {
        return send(copy, 0);
      });
    }

    function saveState(state) {
      fetch(stateQuery(), {
        method: "PUT",
        credentials: "same-origin",
        headers: headers(),
        body: JSON.stringify(state),
      }).catch(function () {
        /* The next save carries the same state. */
      });
    }

    var savedState = null;

    function start() {
      // The frame says "ready" until it hears back; answer each time with the same state.
      if (!savedState) {
        savedState = fetch(stateQuery(), {
          credentials: "same-origin",
          headers: { "X-Experience-API-Version": XAPI_VERSION },
        })
          .then(function (response) {
            return response.ok ? response.json() : null;
          })
          .catch(function () {
            return null;
          });
      }
      savedState.then(function (state) {
        // The frame has an opaque origin, which cannot be named as a target.
        frame.contentWindow.postMessage(
          { imh: "h5p", type: "start", state: typeof state === "string" ? state : null },
          "*"
        );
      });
    }

    window.addEventListener("message", function (event) {
      if (event.source !== frame.contentWindow) {
        return;
      }
      var data = event.data;
      if (!isObject(data) || data.imh !== "h5p") {
        return;
      }
      if (data.type === "ready") {
        start();
      } else if (data.type === "statement" && valid(data.statement)) {
        record(data.statement);
      } else if (data.type === "state" && typeof data.state === "string" && data.state.length < 60000) {
        saveState(data.state);
      } else if (data.type === "resize" && typeof data.height === "number" && data.height > 0) {
        frame.style.height = Math.min(Math.ceil(data.height), MAX_HEIGHT) + "px";
      } else if (data.type === "started") {
        root.dataset.h5pStarted = "true";
      } else if (data.type === "error") {
        say(message("notLoaded", "The activity could not be loaded. Reload the page to try again."));
      }
    });
  }

  function setUpAll() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-imh-h5p]"), setUp);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUpAll);
  } else {
    setUpAll();
  }
})();
