"""The referral workflow: creation with idempotency, the status machine, audit and worklists."""
