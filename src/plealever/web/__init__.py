"""The local web app: FastAPI + Jinja2 + HTMX, loopback only, a token per launch."""
