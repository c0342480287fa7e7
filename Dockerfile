FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /srv/journal

# Dependencies first, in their own layer, from the pinned runtime set: no test, lint or type
# tool ships (those are pinned in the development lock).
COPY requirements.lock ./
RUN pip install --no-cache-dir -r requirements.lock

# The project itself, installed like any package (not editable); the migrations ship inside it.
COPY pyproject.toml README.md ./
COPY app ./app
RUN pip install --no-cache-dir --no-deps . && rm -rf app pyproject.toml \
    && useradd --system --uid 10001 --home-dir /srv/journal journal \
    && chown journal /srv/journal

USER 10001
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s \
    CMD ["python", "-c", "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2).status == 200 else 1)"]
# `journal serve`, not bare uvicorn: it adds the request-head limit (431), the header and body
# deadlines, the connection cap, and believes X-Forwarded-For only from JOURNAL_TRUSTED_PROXIES
# (set it to the load balancer's address or network when there is one; see docs/scaling.md).
CMD ["journal", "serve", "--host", "0.0.0.0", "--port", "8000"]
