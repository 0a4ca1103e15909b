# The worker image: `actorsweep-worker` (node agent, training actors, /healthz, /metrics).
#
# Built by scripts/images.sh, which publishes src/GpuNode self-contained for linux-x64 into a context
# of two folders: runtime/ (.NET, the packages and libtorch, about 500 MB, which change only with an
# upgrade) and app/ (our own assemblies), so a code change re-sends only the small layer.
#   CPU:  scripts/images.sh                 -> actorsweep-worker (libtorch-cpu-linux-x64)
#   CUDA: scripts/images.sh --cuda          -> actorsweep-worker-cuda (TorchSharp-cuda-linux, which
#         brings libtorch with its CUDA libraries; the NVIDIA container runtime on the GPU node
#         supplies the driver). Run it with ACTORSWEEP_DEVICE=cuda:0. It cannot be built on the
#         project's own machines: their package mirror does not serve TorchSharp-cuda-linux.
#
# BASE: any image with glibc 2.36+, libstdc++ from GCC 13 or later (TorchSharp 0.107's native library
# needs GLIBCXX_3.4.32; Debian 12 and Ubuntu 22.04 are too old), libgcc_s, OpenSSL 3, CA certificates.
#   Online: gcr.io/distroless/cc-debian13 (the default).
#   Offline: scripts/images.sh builds localhost/actorsweep-base:trixie from Debian 13 with mmdebstrap.
ARG BASE=gcr.io/distroless/cc-debian13
FROM ${BASE}
COPY runtime/ /app/
COPY app/ /app/
WORKDIR /app
USER 1654:1654
ENV HOME=/tmp ACTORSWEEP_HOST=0.0.0.0 ACTORSWEEP_HTTP=http://0.0.0.0:8080 ACTORSWEEP_PORT=4053
EXPOSE 4053 8080
ENTRYPOINT ["/app/actorsweep-worker"]
