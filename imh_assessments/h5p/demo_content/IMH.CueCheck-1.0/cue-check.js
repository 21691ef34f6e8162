/*
 * IMH.CueCheck: sort short descriptions of a baby's behaviour into engagement and
 * disengagement cues. Written for IMH Learning (MIT licence).
 *
 * One fieldset per description, with two radio buttons; "Check" marks each answer, shows
 * the explanation and the score, and reports the score to the host with xAPI ("answered",
 * with completion). "Retry" clears the answers. The answers and whether they were checked
 * are kept as the content's state, so a learner who comes back finds them as they left them.
 *
 * Needs only H5P core (H5P.EventDispatcher and the xAPI methods it adds).
 */
(function (window, H5P) {
  "use strict";

  var IMH = (window.IMH = window.IMH || {});
  var CUES = ["engagement", "disengagement"];
  var counter = 0;

  var DEFAULT_L10N = {
    engagement: "Engagement cue",
    disengagement: "Disengagement cue",
    checkAnswer: "Check",
    tryAgain: "Retry",
    correct: "Correct.",
    incorrect: "Not quite. The right answer is: @answer.",
    unanswered: "Choose an answer for every description, then check again.",
    score: "You got @score out of @total right.",
  };

  function text(value, fallback) {
    return typeof value === "string" && value.trim() !== "" ? value : fallback;
  }

  function element(tag, className, content) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (content !== undefined) {
      node.textContent = content;
    }
    return node;
  }

  function fill(template, values) {
    return template.replace(/@(\w+)/g, function (match, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : match;
    });
  }

  function CueCheck(params, contentId, extras) {
    H5P.EventDispatcher.call(this);
    params = params || {};
    extras = extras || {};
    var l10n = params.l10n || {};
    this.contentId = contentId;
    this.uid = "imh-cue-check-" + ++counter;
    this.introduction = text(params.introduction, "");
    this.enableRetry = !params.behaviour || params.behaviour.enableRetry !== false;
    this.l10n = {};
    for (var key in DEFAULT_L10N) {
      if (Object.prototype.hasOwnProperty.call(DEFAULT_L10N, key)) {
        this.l10n[key] = text(l10n[key], DEFAULT_L10N[key]);
      }
    }
    this.statements = (Array.isArray(params.statements) ? params.statements : [])
      .filter(function (item) {
        return item && typeof item.text === "string" && CUES.indexOf(item.cue) !== -1;
      })
      .map(function (item) {
        return { text: item.text, cue: item.cue, feedback: text(item.feedback, "") };
      });
    this.answers = this.statements.map(function () {
      return null;
    });
    this.checked = false;

    var previous = extras.previousState;
    if (previous && Array.isArray(previous.answers)) {
      for (var i = 0; i < this.answers.length; i++) {
        var answer = previous.answers[i];
        this.answers[i] = CUES.indexOf(answer) !== -1 ? answer : null;
      }
      this.checked = previous.checked === true && this.getAnswerGiven();
    }
  }

  CueCheck.prototype = Object.create(H5P.EventDispatcher.prototype);
  CueCheck.prototype.constructor = CueCheck;

  CueCheck.prototype.attach = function ($container) {
    var container = $container && $container.get ? $container.get(0) : $container;
    var self = this;
    container.classList.add("imh-cue-check");
    container.textContent = "";
    this.items = [];

    if (this.introduction) {
      container.appendChild(element("p", "imh-cue-check__intro", this.introduction));
    }
    this.message = element("p", "imh-cue-check__message");
    this.message.id = this.uid + "-message";
    this.message.hidden = true;
    container.appendChild(this.message);

    this.statements.forEach(function (statement, index) {
      var fieldset = element("fieldset", "imh-cue-check__item");
      var legend = element("legend", "imh-cue-check__legend", statement.text);
      fieldset.appendChild(legend);
      var options = element("div", "imh-cue-check__options");
      var inputs = CUES.map(function (cue) {
        var id = self.uid + "-" + index + "-" + cue;
        var option = element("div", "imh-cue-check__option");
        var input = element("input", "imh-cue-check__radio");
        input.type = "radio";
        input.name = self.uid + "-" + index;
        input.id = id;
        input.value = cue;
        input.checked = self.answers[index] === cue;
        input.addEventListener("change", function () {
          self.answers[index] = cue;
          self.message.hidden = true;
          fieldset.classList.remove("imh-cue-check__item--missing");
        });
        var label = element("label", "imh-cue-check__label", self.l10n[cue]);
        label.htmlFor = id;
        option.appendChild(input);
        option.appendChild(label);
        options.appendChild(option);
        return input;
      });
      fieldset.appendChild(options);
      var feedback = element("p", "imh-cue-check__feedback");
      feedback.id = self.uid + "-" + index + "-feedback";
      feedback.hidden = true;
      fieldset.appendChild(feedback);
      container.appendChild(fieldset);
      self.items.push({ fieldset: fieldset, inputs: inputs, feedback: feedback });
    });

    var actions = element("div", "imh-cue-check__actions");
    this.checkButton = element("button", "imh-cue-check__button", this.l10n.checkAnswer);
    this.checkButton.type = "button";
    this.checkButton.addEventListener("click", function () {
      self.check();
    });
    this.retryButton = element(
      "button",
      "imh-cue-check__button imh-cue-check__button--secondary",
      this.l10n.tryAgain
    );
    this.retryButton.type = "button";
    this.retryButton.addEventListener("click", function () {
      self.resetTask();
      if (self.items.length) {
        self.items[0].inputs[0].focus();
      }
    });
    actions.appendChild(this.checkButton);
    actions.appendChild(this.retryButton);
    container.appendChild(actions);

    this.status = element("p", "imh-cue-check__score");
    this.status.setAttribute("role", "status");
    this.status.tabIndex = -1;
    container.appendChild(this.status);

    this.render();
  };

  /* Shows the answers as they stand: editable before checking, marked after. */
  CueCheck.prototype.render = function (showSolutions) {
    if (!this.items) {
      return;
    }
    var self = this;
    this.items.forEach(function (item, index) {
      var statement = self.statements[index];
      var answer = self.answers[index];
      item.inputs.forEach(function (input) {
        input.checked = answer === input.value;
        input.disabled = self.checked;
      });
      item.fieldset.classList.remove(
        "imh-cue-check__item--correct",
        "imh-cue-check__item--incorrect"
      );
      if (self.checked || showSolutions) {
        var right = answer === statement.cue;
        item.fieldset.classList.add(
          right ? "imh-cue-check__item--correct" : "imh-cue-check__item--incorrect"
        );
        var verdict = right
          ? self.l10n.correct
          : fill(self.l10n.incorrect, { answer: self.l10n[statement.cue] });
        item.feedback.textContent = statement.feedback ? verdict + " " + statement.feedback : verdict;
        item.feedback.hidden = false;
        item.inputs.forEach(function (input) {
          input.setAttribute("aria-describedby", item.feedback.id);
        });
      } else {
        item.feedback.textContent = "";
        item.feedback.hidden = true;
        item.inputs.forEach(function (input) {
          input.removeAttribute("aria-describedby");
        });
      }
    });
    this.checkButton.hidden = this.checked;
    this.retryButton.hidden = !(this.checked && this.enableRetry);
    this.status.textContent = this.checked
      ? fill(this.l10n.score, { score: this.getScore(), total: this.getMaxScore() })
      : "";
    this.trigger("resize");
  };

  CueCheck.prototype.check = function () {
    var missing = [];
    for (var i = 0; i < this.answers.length; i++) {
      if (this.answers[i] === null) {
        missing.push(i);
      }
    }
    if (missing.length) {
      var self = this;
      this.message.textContent = this.l10n.unanswered;
      this.message.hidden = false;
      missing.forEach(function (index) {
        self.items[index].fieldset.classList.add("imh-cue-check__item--missing");
      });
      this.items[missing[0]].inputs[0].focus();
      this.trigger("resize");
      return;
    }
    this.checked = true;
    this.render();
    if (this.retryButton.hidden) {
      this.status.focus();
    } else {
      this.retryButton.focus();
    }
    var score = this.getScore();
    var maxScore = this.getMaxScore();
    this.triggerXAPIScored(score, maxScore, "answered", true, score === maxScore);
  };

  /* H5P's question contract, for hosts and containers that use it. */

  CueCheck.prototype.getScore = function () {
    var self = this;
    return this.statements.filter(function (statement, index) {
      return self.answers[index] === statement.cue;
    }).length;
  };

  CueCheck.prototype.getMaxScore = function () {
    return this.statements.length;
  };

  CueCheck.prototype.getAnswerGiven = function () {
    return this.answers.some(function (answer) {
      return answer !== null;
    });
  };

  CueCheck.prototype.showSolutions = function () {
    this.answers = this.statements.map(function (statement) {
      return statement.cue;
    });
    this.checked = true;
    this.render(true);
  };

  CueCheck.prototype.resetTask = function () {
    this.answers = this.statements.map(function () {
      return null;
    });
    this.checked = false;
    if (this.message) {
      this.message.hidden = true;
    }
    this.render();
  };

  CueCheck.prototype.getCurrentState = function () {
    return { answers: this.answers.slice(), checked: this.checked };
  };

  CueCheck.prototype.getTitle = function () {
    return H5P.createTitle ? H5P.createTitle(this.introduction || "Cue check") : "Cue check";
  };

  CueCheck.prototype.getXAPIData = function () {
    var event = this.createXAPIEventTemplate("answered");
    var score = this.getScore();
    var maxScore = this.getMaxScore();
    event.setScoredResult(score, maxScore, this, true, score === maxScore);
    return { statement: event.data.statement };
  };

  IMH.CueCheck = CueCheck;
})(window, window.H5P);
