"""Delivery of referral letters to the PCP: channels (e-mail, print), attempts, retries, batches."""
