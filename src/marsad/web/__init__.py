"""The web application: JSON API and dashboard over the store (``create_app``)."""

from marsad.web.app import create_app

__all__ = ["create_app"]
