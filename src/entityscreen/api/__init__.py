"""The HTTP API and web page of entityscreen (``entityscreen serve``).

``app`` builds the FastAPI app; ``service`` holds what one process serves from; ``auth`` and
``keys`` check API keys and roles; ``edges`` gives every error one JSON shape; one
``routes_*`` module per area; ``web`` the server-rendered page.
"""

from entityscreen.api.app import app_from_env, create_app

__all__ = ["app_from_env", "create_app"]
