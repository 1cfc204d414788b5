#!/usr/bin/env bash
# One-time set-up on a fresh machine (Debian/Ubuntu): system tools, a virtual
# environment in .venv, e2a and its test tools. Idempotent and quick when done.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${E2A_VENV:-.venv}
# Optional extras: E2A_EXTRAS=dev,coqui also installs Coqui TTS with a CPU torch
# (about 2 GB); CI sets it so the Coqui engine is tested for real.
EXTRAS=${E2A_EXTRAS:-dev}
PY=${PYTHON:-python3}

need=()
command -v ffmpeg >/dev/null || need+=(ffmpeg)
command -v ffprobe >/dev/null || need+=(ffmpeg)
command -v espeak-ng >/dev/null || need+=(espeak-ng)
"$PY" -c 'import ensurepip, venv' 2>/dev/null || need+=(python3-venv)
if [ ${#need[@]} -gt 0 ]; then
  echo "setup: installing system packages: ${need[*]}" >&2
  SUDO=""
  [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null && SUDO=sudo
  if ! command -v apt-get >/dev/null; then
    echo "setup: please install ${need[*]} with your package manager, then rerun" >&2; exit 1
  fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

stamp="$VENV/.e2a-installed-${EXTRAS//,/-}"
if [ ! -x "$VENV/bin/python" ]; then
  echo "setup: creating $VENV" >&2
  "$PY" -m venv "$VENV"
fi
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "setup: installing e2a and its dependencies into $VENV (first time: a minute or two)" >&2
  "$VENV/bin/python" -m pip install -q --upgrade pip >/dev/null
  "$VENV/bin/python" -m pip install -q -e ".[$EXTRAS]"
  touch "$stamp"
fi

# Optional: E2A_GPU=1 swaps onnxruntime for onnxruntime-gpu with its CUDA/cuDNN
# wheels, so `--gpu` runs Piper on an NVIDIA GPU (piper-tts asks for plain
# onnxruntime; both provide the same module, so one must go). Coqui on a GPU
# needs only E2A_EXTRAS=coqui: torch from PyPI is a CUDA build on Linux.
ORT_GPU=${E2A_ORT_GPU:-onnxruntime-gpu[cuda,cudnn]==1.31.1}
if [ "${E2A_GPU:-0}" = 1 ] && ! "$VENV/bin/python" -m pip show -q onnxruntime-gpu >/dev/null 2>&1; then
  echo "setup: E2A_GPU=1: replacing onnxruntime by $ORT_GPU" >&2
  "$VENV/bin/python" -m pip uninstall -q -y onnxruntime
  "$VENV/bin/python" -m pip install -q "$ORT_GPU"
fi
