"""Shishi (实事): a closed-loop ledger for public-service commitments."""

__version__ = "0.1.0"
