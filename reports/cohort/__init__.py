"""Cohort reports for analysts: FLS KPIs, cohort profile, site performance, referral funnel.

Nothing is re-exported here on purpose: the service reads the referral funnel and loop
KPIs (``reports.cohort.funnel``, ``reports.cohort.loop``) at start-up, and importing the
whole report (``reports.cohort.build``: matplotlib figures, scikit-learn validation) would
put plotting and training libraries on the API's import path.
"""
