"""The scheduled reminder job: re-send unacknowledged letters, escalate to the worklist."""
