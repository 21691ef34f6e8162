"""h5p block for lesson bodies."""
