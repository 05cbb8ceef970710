# Yibao Flow: migrations, then gunicorn, as a non-root user.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    YIBAO_ENV=production \
    YIBAO_HOST=0.0.0.0 \
    YIBAO_PORT=8000 \
    YIBAO_DATABASE_URL=sqlite:////var/lib/yibao/yibao.db

WORKDIR /app
COPY pyproject.toml README.md ./
COPY domain ./domain
COPY storage ./storage
COPY workflows ./workflows
COPY api ./api
COPY bpmn ./bpmn
COPY data ./data
RUN pip install . \
    && useradd --system --uid 10001 --home-dir /var/lib/yibao --create-home yibao

USER yibao
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s --retries=3 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ.get(\"YIBAO_PORT\", \"8000\")}/healthz', timeout=2)" || exit 1

# Migrate, deploy the diagrams shipped in the image (unchanged ones are no-ops), then serve.
CMD ["sh", "-c", "yibao db upgrade && yibao definitions deploy && exec yibao serve"]
