"""gunicorn settings for the service behind nginx (deploy/nginx/disclosure.conf):
    gunicorn -c deploy/gunicorn.conf.py wsgi:app
Workers from WEB_CONCURRENCY (the application refuses SQLite for more than one)."""
import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "4"))
threads = 4  # a bulk import of 10,000 rows takes tens of seconds: a thread is not killed by the timeout
timeout = 120
graceful_timeout = 30
max_requests = 10000  # a worker is replaced after this many requests (jitter spreads the restarts)
max_requests_jitter = 1000
accesslog = "-"
errorlog = "-"
