// Tell the NHS.UK design system's styles that JavaScript is running. A file rather than an
// inline script, so that a Content Security Policy needs no exception for it.
document.body.className +=
  " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " nhsuk-frontend-supported" : "");
