"""Calibration of the model's magnitudes to published evidence: the targets (targets.toml) and the model's
value for each (`targets.measure`)."""

from .targets import TARGETS_FILE, Estimate, Target, load_targets, measure

__all__ = ["TARGETS_FILE", "Estimate", "Target", "load_targets", "measure"]
