# e2a container image.
#   build:  docker build -t e2a .        (podman build -t e2a . works the same)
#   run:    docker compose run --rm e2a pipeline ebooks/book.epub
#           docker run --rm --user "$(id -u):$(id -g)" -v "$PWD:/app" e2a pipeline book.epub
#   GUI:    docker compose up            (default command: web interface on port 7860)
#   GPU:    docker compose -f docker-compose.yml -f docker-compose.gpu.yml run --rm e2a pipeline book.epub --gpu
#   ebook2audiobook style: e2a --headless --ebook book.epub ...  runs  e2a pipeline book.epub ...
#
# Any uid/gid works at run time (--user UID:GID, compose `user:`): nothing needs a
# writable home (HOME=/tmp), the venv is world-readable, and files written to the
# /app bind mount (ebooks, audiobooks, session workdirs) belong to that uid on the host.
FROM debian:bookworm-slim

# 1. System packages. tini is PID 1: it forwards SIGTERM, so `docker stop` ends a
#    run at once (the run resumes from its checkpoint next time).
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 python3-venv ffmpeg espeak-ng tini \
 && rm -rf /var/lib/apt/lists/*

ENV VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH \
    HOME=/tmp \
    XDG_CACHE_HOME=/tmp/.cache \
    E2A_HOME=/app \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    GRADIO_ANALYTICS_ENABLED=False

# 2. Python dependencies, read from pyproject.toml (one list, no drift); this layer
#    is rebuilt only when pyproject.toml changes. Build args (docker-compose.gpu.yml
#    sets them): E2A_EXTRAS=coqui adds Coqui TTS (torch from PyPI: CUDA on Linux);
#    E2A_GPU=1 swaps onnxruntime for onnxruntime-gpu so Piper can use --gpu.
ARG E2A_EXTRAS=""
ARG E2A_GPU=0
COPY pyproject.toml /src/pyproject.toml
RUN python3 -m venv /opt/venv \
 && pip install --upgrade pip "setuptools>=68" wheel \
 && python3 -c "import os, tomllib; p = tomllib.load(open('/src/pyproject.toml', 'rb'))['project']; extras = [e for e in os.environ.get('E2A_EXTRAS', '').split(',') if e]; print('\n'.join(p['dependencies'] + [d for e in extras for d in p['optional-dependencies'][e]]))" > /tmp/requirements.txt \
 && pip install -r /tmp/requirements.txt && rm /tmp/requirements.txt \
 && if [ "$E2A_GPU" = 1 ]; then pip uninstall -y onnxruntime && pip install "onnxruntime-gpu[cuda,cudnn]==1.31.1"; fi

# 3. Default non-root user (the host can choose another with --user / compose `user:`).
ARG UID=1000
ARG GID=1000
RUN (getent group "$GID" >/dev/null || groupadd -g "$GID" e2a) \
 && useradd -o -u "$UID" -g "$GID" -M -d /tmp -s /usr/sbin/nologin e2a \
 && mkdir -p /app && chmod 1777 /app

# 4. Project source last: editing it only rebuilds this layer.
COPY . /src
RUN pip install --no-build-isolation --no-deps /src

USER ${UID}:${GID}
WORKDIR /app
EXPOSE 7860
ENTRYPOINT ["/usr/bin/tini", "--", "e2a"]
CMD ["gui", "--host", "0.0.0.0", "--port", "7860"]
