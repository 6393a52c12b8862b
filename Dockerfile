FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends gettext && rm -rf /var/lib/apt/lists/*
COPY pyproject.toml README.md ./
COPY . .
RUN pip install --no-cache-dir . && useradd --create-home edubadges && mkdir -p /app/var && chown edubadges /app/var
USER edubadges
EXPOSE 8000
CMD ["gunicorn", "edubadges.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
