// Tell the NHS.UK design system's styles that JavaScript is running (kept out of the page so
// the Content Security Policy needs no inline script).
document.body.className +=
  " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " nhsuk-frontend-supported" : "");
