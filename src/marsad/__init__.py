"""Marsad: an evidence-linked incident database for reports of attacks on civilians."""

__version__ = "0.1.0"
