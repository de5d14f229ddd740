"""Negotiation: the prosecutor's and the court's constraints on each lever (scenarios come later)."""
