"""gunicorn for Scellé's web tier (deploy/systemd/scelle-web.service starts it)."""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")  # nginx in front, on the same host
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", 4))
# Uploads of seized media can be large and slow: long enough not to cut them; nginx buffers them.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 300))
graceful_timeout = 30
max_requests = 2000  # recycle workers now and then
max_requests_jitter = 200
accesslog = "-"
errorlog = "-"
# gunicorn believes X-Forwarded-Proto (wsgi.url_scheme) from the same proxies as Scellé believes
# X-Forwarded-For from (config/proxies.py); it never changes REMOTE_ADDR itself.
forwarded_allow_ips = os.environ.get("TRUSTED_PROXIES") or "127.0.0.1"
proxy_allow_ips = "127.0.0.1"
