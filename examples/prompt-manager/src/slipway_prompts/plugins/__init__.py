"""Plugins shipped with slipway-prompts."""
