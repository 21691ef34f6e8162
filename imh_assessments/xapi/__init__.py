"""xAPI as this site speaks it: identifiers (activity IRIs, the learner's agent) and statements
(parsing and checks). Recording statements is ``imh_assessments.services.xapi``."""
