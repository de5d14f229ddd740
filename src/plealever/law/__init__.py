"""Dated, cited law data and the code that reads it."""
