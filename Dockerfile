FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /srv/journal

# Dependencies first, in their own layer, from the pinned set.
COPY requirements.lock ./
RUN pip install -r requirements.lock

COPY pyproject.toml README.md alembic.ini ./
COPY app ./app
COPY migrations ./migrations
RUN pip install --no-deps -e . && useradd --system --uid 10001 --home-dir /srv/journal journal \
    && chown journal /srv/journal

USER journal
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s \
    CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2).status == 200 else 1)"
# `journal serve`, not bare uvicorn: it adds the request-head limit (431), the header and body
# deadlines, the connection cap, and believes X-Forwarded-For only from JOURNAL_TRUSTED_PROXIES
# (set it to the load balancer's address or network when there is one; see docs/scaling.md).
CMD ["journal", "serve", "--host", "0.0.0.0", "--port", "8000"]
