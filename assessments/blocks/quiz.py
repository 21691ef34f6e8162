"""quiz block for lesson bodies."""
