"""`caunoi serve`: the web UI and the REST API, with uvicorn."""

from __future__ import annotations

from typing import Annotated

import typer

from caunoi.cli.common import err, open_service


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on; 127.0.0.1 is this machine only.")] = (
        "127.0.0.1"
    ),
    port: Annotated[int, typer.Option(help="Port.")] = 8000,
) -> None:
    """Serve the web UI and the REST API (OpenAPI at /docs) over the store, on the embedded default
    unless CAUNOI_DATABASE_URL says otherwise."""
    import uvicorn

    from caunoi.app import create_app

    open_service().close()  # a bad setting or an unreachable store fails here, in one line
    err.print(f"Cầu Nối on http://{host}:{port}/  (API: http://{host}:{port}/docs)")
    uvicorn.run(create_app(), host=host, port=port, log_level="warning", proxy_headers=False)
