// Start the NHS.UK design system's components (header menu, error summary, buttons...) from
// the copy wagtailnhsukfrontend ships.
import { initAll } from "../../wagtailnhsukfrontend/js/nhsuk-frontend-10.4.2.min.js";

initAll();
