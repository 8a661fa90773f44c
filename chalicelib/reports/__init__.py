"""Reports: dispatch-deadline sweeps and the mission's daily digest."""
