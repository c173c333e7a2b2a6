"""The calibrated re-fracture model: features, training, artefact, hand scorer and validation.

Nothing is re-exported here on purpose: importing the package must stay cheap, so that the
inference path (``risk.model.scorer``, ``risk.model.artefact``) never loads scikit-learn or
matplotlib. Import training (``risk.model.develop``), plots (``risk.model.plots``) and
validation (``risk.model.validation``) from their own modules.
"""
