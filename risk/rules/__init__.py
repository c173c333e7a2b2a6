"""The guideline rule layer (../shared/contract/rules.md) as data plus one engine."""
