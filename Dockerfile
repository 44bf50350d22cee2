# syntax=docker/dockerfile:1
# The web, Celery worker and Celery beat image (docker-compose.yml runs all three from it).
#   docker build -t casino-operator .
#   docker run -e DATABASE_URL=... -e REDIS_URL=... -e DJANGO_SECRET_KEY=... \
#              -e ALLOWED_HOSTS=casino.example.com -p 8000:8000 casino-operator

# --- build: the project and its dependencies in a virtualenv --------------------------------
FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
ENV PATH="/opt/venv/bin:$PATH"
WORKDIR /src
# Dependencies first (a layer that changes only with pyproject.toml), then the project itself.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > requirements.txt \
    && pip install -r requirements.txt
COPY . .
RUN pip install --no-deps .

# --- runtime -----------------------------------------------------------------------------
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH="/opt/venv/bin:$PATH" \
    DJANGO_DEBUG=false \
    STATIC_ROOT=/app/staticfiles \
    PORT=8000
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /app --shell /usr/sbin/nologin app
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
# The sources stay beside the installed packages for manage.py, templates
# and docs/openapi (served at /api/schema/wallet.yaml).
COPY --chown=root:root . .
# Static files are collected (hashed, compressed) at build time and served by whitenoise.
RUN DJANGO_SECRET_KEY=collectstatic-only-not-a-real-secret ALLOWED_HOSTS=localhost \
    python manage.py collectstatic --noinput
USER app
EXPOSE 8000
# /healthz answers 200 when the database and Redis answer, 503 otherwise.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request as u; u.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '8000'), timeout=4)"]
# casino-web (Granian) reads its settings from the environment (workers, threads, $PORT) and
# replaces itself with the server: signals and the PID are the server's.
CMD ["casino-web"]
