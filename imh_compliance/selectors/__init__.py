"""Reads for compliance, split by concern: access (managers and members), columns, the matrix
(``matrix``, with its cells from the database in ``facts``), one member's cells from the
learning records (``cells``), the audit log and rules. Import from the submodules."""
