# Accord's web server (gunicorn) and, with another command, its e-mail worker. See compose.yaml
# for a whole service, and .env.example for the settings it reads from its environment.
FROM python:3.11-slim

# The libraries WeasyPrint (PDF letters and certificates) and CairoSVG (PNG logos) draw with,
# and a font for them, from Debian's packages.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 libcairo2 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_PROJECT_ENVIRONMENT=/app/.venv \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    PATH=/app/.venv/bin:$PATH

# The same uv as the Makefile's, from PyPI.
RUN pip install --no-cache-dir --disable-pip-version-check uv==0.13.8

WORKDIR /app

# Dependencies first, exactly as uv.lock has them, so that a change to the code alone reuses
# this layer.
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev

COPY . .

# Static files are collected into the image, apart from the data volume. The values here serve
# this one command only; the real ones come from the environment the container runs in.
ENV ACCORD_STATIC_ROOT=/app/static \
    ACCORD_VAR_DIR=/data \
    ACCORD_ENV_FILE= \
    ACCORD_BIND=0.0.0.0:8000 \
    DJANGO_DEBUG=0
RUN DJANGO_SECRET_KEY=collectstatic-only ACCORD_AUDIT_KEY=collectstatic-only \
    DJANGO_ALLOWED_HOSTS=localhost ACCORD_SITE_URL=http://localhost \
    python manage.py collectstatic --noinput --verbosity 0

# Run as an unprivileged user, who may write only to the data volume (uploads, the SQLite
# database if no DATABASE_URL is given, audit checkpoints).
RUN useradd --system --uid 10001 --home-dir /data --no-create-home accord \
    && mkdir -p /data && chown accord /data
USER accord
VOLUME ["/data"]
EXPOSE 8000

# Healthy while a page is answered (any status below 500): the home page reads the database.
# The request names an allowed host and says it came over HTTPS, as a proxy's would.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 CMD ["python", "-c", \
    "import http.client, os, sys; c = http.client.HTTPConnection('127.0.0.1', 8000, timeout=4); c.request('GET', '/', headers={'Host': os.environ['DJANGO_ALLOWED_HOSTS'].split(',')[0], 'X-Forwarded-Proto': 'https'}); sys.exit(c.getresponse().status >= 500)"]

# gunicorn.conf.py: workers, timeouts and logs from the environment (ACCORD_WEB_*).
CMD ["gunicorn", "--config", "gunicorn.conf.py"]
