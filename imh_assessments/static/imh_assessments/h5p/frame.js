/*
 * Runs inside the sandboxed player frame (opaque origin, no session). Starts h5p-standalone
 * when the lesson page sends the saved state, and hands every xAPI statement, state change
 * and height change to the lesson page with postMessage. It never talks to the server
 * about the learner: the lesson page does that.
 */
(function () {
  "use strict";

  // The sandbox has no storage (it would be the site's); H5P core expects some. Give it a
  // memory-only one that lasts as long as the frame. Resume state goes through the lesson
  // page instead.
  function memoryStorage() {
    var items = {};
    return {
      getItem: function (key) {
        return Object.prototype.hasOwnProperty.call(items, key) ? items[key] : null;
      },
      setItem: function (key, value) {
        items[key] = String(value);
      },
      removeItem: function (key) {
        delete items[key];
      },
      clear: function () {
        items = {};
      },
      key: function (index) {
        return Object.keys(items)[index] || null;
      },
      get length() {
        return Object.keys(items).length;
      },
    };
  }
  ["localStorage", "sessionStorage"].forEach(function (name) {
    try {
      void window[name];
    } catch (error) {
      Object.defineProperty(window, name, { value: memoryStorage(), configurable: true });
    }
  });

  var root = document.getElementById("h5p-container");
  if (!root) {
    return;
  }
  var parentOrigin = root.dataset.parentOrigin;
  var activityIri = root.dataset.activityIri;
  var filesUrl = root.dataset.filesUrl;
  var saveFrequency = Number(root.dataset.saveFrequency) || 10;
  var contentId = "imh-h5p";
  var started = false;
  var lastState = null;

  function send(message) {
    message.imh = "h5p";
    window.parent.postMessage(message, parentOrigin);
  }

  // h5p-standalone names the object after the page unless told otherwise; the server knows
  // activities by their IRI, with "?subContentId=" for parts of them.
  function normaliseIri(id) {
    if (typeof id !== "string" || id === activityIri || id.indexOf(activityIri + "?") === 0) {
      return id;
    }
    var match = /[?&]subContentId=([^&#]+)/.exec(id);
    return activityIri + (match ? "?subContentId=" + match[1] : "");
  }

  function normalise(statement) {
    var copy = JSON.parse(JSON.stringify(statement));
    if (copy.object && typeof copy.object.id === "string") {
      copy.object.id = normaliseIri(copy.object.id);
    }
    var activities = copy.context && copy.context.contextActivities;
    if (activities) {
      ["parent", "grouping"].forEach(function (key) {
        if (Array.isArray(activities[key])) {
          activities[key].forEach(function (activity) {
            if (activity && typeof activity.id === "string") {
              activity.id = normaliseIri(activity.id);
            }
          });
        }
      });
    }
    // The lesson page sets the actor; what the player made up is not sent on.
    delete copy.actor;
    return copy;
  }

  function currentState() {
    var integration = window.H5PIntegration;
    var content = integration && integration.contents && integration.contents["cid-" + contentId];
    var data = content && content.contentUserData;
    var state = data && data[0] && data[0].state;
    return typeof state === "string" && state !== "RESET" ? state : null;
  }

  function saveState() {
    var state = currentState();
    if (state !== null && state !== lastState) {
      lastState = state;
      send({ type: "state", state: state });
    }
  }

  function reportHeight() {
    send({ type: "resize", height: Math.ceil(document.documentElement.scrollHeight) });
  }

  function start(state) {
    if (started) {
      return;
    }
    started = true;
    lastState = typeof state === "string" ? state : null;
    var options = {
      id: contentId,
      // Rendered straight into this document: a nested frame would get an origin of its own
      // in the sandbox, which the player could not write into. This frame is the isolation.
      embedType: "div",
      h5pJsonPath: filesUrl,
      contentJsonPath: filesUrl + "/content",
      librariesPath: filesUrl + "/libraries",
      frameJs: root.dataset.frameJs,
      frameCss: root.dataset.frameCss,
      xAPIObjectIRI: activityIri,
      frame: false,
      copyright: false,
      export: false,
      embed: false,
      icon: false,
      fullScreen: false,
      saveFreq: saveFrequency,
    };
    if (lastState) {
      // H5P core reads contentUserData[subContentId][dataId].
      options.contentUserData = [{ state: lastState }];
    }
    new window.H5PStandalone.H5P(root, options).then(
      function () {
        window.H5P.externalDispatcher.on("xAPI", function (event) {
          var statement = event && event.data && event.data.statement;
          if (statement) {
            send({ type: "statement", statement: normalise(statement) });
          }
          window.setTimeout(saveState, 0);
        });
        window.setInterval(saveState, saveFrequency * 1000);
        if (window.ResizeObserver) {
          new ResizeObserver(reportHeight).observe(document.body);
        }
        reportHeight();
        send({ type: "started" });
      },
      function (error) {
        window.console.error("H5P player:", error);
        send({ type: "error", message: "The activity could not be loaded." });
      }
    );
  }

  window.addEventListener("message", function (event) {
    if (event.source !== window.parent || event.origin !== parentOrigin) {
      return;
    }
    var data = event.data;
    if (data && data.imh === "h5p" && data.type === "start") {
      start(typeof data.state === "string" ? data.state : null);
    }
  });

  // Say "ready" until the lesson page answers (its script may load after this one).
  var tries = 0;
  (function ready() {
    if (started || tries++ > 120) {
      return;
    }
    send({ type: "ready" });
    window.setTimeout(ready, 500);
  })();
  window.addEventListener("pagehide", saveState);
})();
