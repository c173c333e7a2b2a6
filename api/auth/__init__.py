"""Access control: hashed API keys, the role → action table and the FastAPI dependency."""
