"""The ceiling: a bare Flask app answering constant bodies, with a constant ETag.

`/c/<size>` answers `size` bytes, or 304 when If-None-Match names its ETag, so a
workload's ceiling has the same size distribution and the same conditional requests.
"""

from flask import Flask, Response, request

app = Flask(__name__)
BODIES: dict[int, bytes] = {}


@app.get("/c/<int:size>")
def constant(size: int) -> Response:
    """Answer `size` bytes (made once), or 304 for a matching If-None-Match."""
    body = BODIES.get(size)
    if body is None:
        body = BODIES.setdefault(size, b"x" * size)
    etag = f'"c{size}"'
    if request.headers.get("If-None-Match") == etag:
        return Response(status=304, headers={"ETag": etag})
    return Response(body, mimetype="text/turtle", headers={"ETag": etag})
