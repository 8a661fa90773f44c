"""Orders: every marketplace order reaches the SHG member in real time, exactly once."""
