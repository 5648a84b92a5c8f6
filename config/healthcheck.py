"""Container health check: ask the web process's /healthz as a proxy would (the configured host
name, forwarded as HTTPS so no redirect), exit 0 when healthy. Standard library only."""

import os
import sys
import urllib.request


def main() -> int:
    host = (os.environ.get("ALLOWED_HOSTS") or "localhost").split(",")[0].strip().lstrip(".") or "localhost"
    request = urllib.request.Request(
        f"http://127.0.0.1:{os.environ.get('PORT', '8000')}/healthz",
        headers={"Host": host, "X-Forwarded-Proto": "https"},
    )
    try:
        with urllib.request.urlopen(request, timeout=4) as response:
            return 0 if response.status == 200 else 1
    except Exception as exc:  # noqa: BLE001 - any failure means unhealthy
        print(exc, file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
