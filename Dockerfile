FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    VAR_DIR=/app/var STATIC_ROOT=/app/var/static MEDIA_ROOT=/app/var/media
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends gettext && rm -rf /var/lib/apt/lists/*
COPY . .
# Static files are collected into the image (WhiteNoise serves them); the media folder exists
# and belongs to the app's user before the named volume is mounted on it, so that Docker
# gives the new volume that owner.
RUN pip install --no-cache-dir . \
    && DEBUG=true python manage.py collectstatic --no-input \
    && useradd --create-home edubadges \
    && mkdir -p /app/var/media \
    && chown -R edubadges /app/var
USER edubadges
EXPOSE 8000
# gunicorn.conf.py sets the bind address, workers, threads and connections per worker.
CMD ["gunicorn", "edubadges.wsgi:application"]
