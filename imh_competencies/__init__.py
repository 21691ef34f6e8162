"""IMH competency frameworks, mapping of learning to competencies, and the evidence ledger."""
