# One image for every role of the receptionist; its command picks one: `worker` (the voice
# worker, `python -m agent start`), `api` (the API, the call page and the staff page), `migrate`
# (apply migrations and exit). See docs/deploy.md.
#
# The bases are build arguments: the defaults are the usual public images; on a machine with no
# image registry, any Debian bookworm image does (scripts/setup-podman makes one with
# debootstrap), and the stages below install Python 3.11 and Node.js from Debian's packages.
ARG BASE=python:3.11-slim-bookworm
ARG NODE_BASE=node:20-bookworm-slim
# Where a network's TLS is intercepted by a proxy, its CA bundle for the build's downloads:
# mount it into the build and name it, e.g. `--volume /etc/ssl/certs/ca-certificates.crt:
# /run/build-ca.crt:ro --build-arg SSL_CERT_FILE=/run/build-ca.crt` and the same for
# NODE_EXTRA_CA_CERTS and PIP_CERT. Build arguments only: nothing of them stays in the image.

# --- the call page and the staff page, from web/package-lock.json -----------------------------
FROM ${NODE_BASE} AS web
ARG NODE_EXTRA_CA_CERTS
RUN if ! command -v npm >/dev/null; then \
        apt-get update && apt-get install -y --no-install-recommends nodejs npm \
        && rm -rf /var/lib/apt/lists/*; \
    fi
WORKDIR /web
COPY web/package.json web/package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY web/ ./
RUN npm run build

# --- Python 3.11, shared by the build and the run stages ----------------------------------------
FROM ${BASE} AS python
RUN if ! command -v python3.11 >/dev/null; then \
        apt-get update && apt-get install -y --no-install-recommends \
            python3.11 python3.11-venv ca-certificates \
        && rm -rf /var/lib/apt/lists/*; \
    fi
ENV PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1

# --- the locked Python packages, without the dependency groups (dev, local, speech, bench) --------
FROM python AS build
ARG UV_VERSION=0.13.9
ARG SSL_CERT_FILE
ARG PIP_CERT
RUN python3.11 -m venv /opt/uv && /opt/uv/bin/pip install --quiet --no-cache-dir "uv==${UV_VERSION}"
ENV UV_PYTHON=python3.11 UV_PYTHON_DOWNLOADS=never UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy \
    UV_NO_CACHE=1
WORKDIR /app
# The dependencies only: the code is copied into the image by itself (below), so a change to
# it rebuilds neither this layer nor the model files'.
COPY pyproject.toml uv.lock ./
RUN /opt/uv/bin/uv sync --locked --no-default-groups --no-install-project

# --- what runs ----------------------------------------------------------------------------------
FROM python
RUN groupadd --system --gid 10001 receptionist \
    && useradd --system --uid 10001 --gid receptionist --create-home --home-dir /home/receptionist \
        --shell /usr/sbin/nologin receptionist
WORKDIR /app
COPY --from=build /app/.venv /app/.venv
ENV PATH=/app/.venv/bin:$PATH PYTHONPATH=/app \
    # The API on every interface of the container (so keys must be strong: docs/privacy.md).
    API_HOST=0.0.0.0 API_PORT=8000 \
    # The worker's health endpoint (GET /) on every interface, for an orchestrator's probe.
    WORKER_HOST=0.0.0.0 WORKER_PORT=8081 \
    # Model files are in the image; a container never fetches one at start.
    HF_HUB_OFFLINE=1
USER receptionist
# Every plugin's model files into the image (livekit-agents' own VAD and turn detector are
# inside its native library), then each loaded once offline, so a missing file fails the build,
# not a call.
RUN python -m livekit.agents download-files \
    && python -c "from livekit.local_inference import init_eot, init_vad; init_vad(); init_eot()" \
    && python -c "from livekit.plugins import silero; silero.VAD.load()"
# The code last, owned by root and read-only to the user that runs it.
COPY restaurant.toml livekit.yaml ./
COPY sql/ sql/
COPY core/ core/
COPY agent/ agent/
COPY api/ api/
COPY ops/ ops/
COPY --from=web /web/dist web/dist
COPY ops/container/entrypoint /usr/local/bin/receptionist-container
EXPOSE 8000 8081
ENTRYPOINT ["receptionist-container"]
CMD ["worker"]
