# Tandem's production image: gunicorn (web), Celery worker and beat all run from it
# (docker-compose.yml). Front-end packages come from the npm registry at build time.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    TANDEM_VAR_DIR=/app/var

# Node/npm for the front-end packages, gettext for the catalogues (the CJK font for PDFs is an npm package).
RUN apt-get update \
    && apt-get install -y --no-install-recommends nodejs npm gettext \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Dependencies first, so a code change does not reinstall them.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --omit=dev && npm cache clean --force

COPY . .

# Catalogues and static files are built into the image; the build needs no real secret.
RUN DEBUG=1 python manage.py compilemessages --ignore=node_modules -v 0 \
    && SECRET_KEY=image-build-only DEBUG=0 python manage.py collectstatic --noinput -v 0

RUN useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin tandem \
    && mkdir -p /app/var/media \
    && chown -R tandem:tandem /app/var
USER tandem

EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 CMD ["python", "config/healthcheck.py"]
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--access-logfile", "-", "--forwarded-allow-ips", "*"]
