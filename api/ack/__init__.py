"""The PCP's one-click acknowledgement: signed single-use tokens and the public answer pages."""
