"""Where the repo-root app.py finds the server: the web app now lives in policybot.web."""

from policybot.web.server import serve

__all__ = ["serve"]
