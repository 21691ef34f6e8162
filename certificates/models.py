"""Certificate records (filled by the certificates work)."""
