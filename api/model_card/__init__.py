"""Public model documentation: the model card, TRIPOD+AI checklist and HTI-1 source attributes."""
