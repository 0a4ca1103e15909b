# The seed host image: `actorsweep-seed seed` (supervisor singleton, journal, HTTP API, /healthz,
# /metrics). It carries no TorchSharp or libtorch: src/Seed depends only on the TorchSharp-free core.
#
# Built by scripts/images.sh, which publishes src/Seed self-contained for linux-x64 (no .NET in the
# image) into a context of two folders: runtime/ (.NET, the packages and native libraries, which
# change with an upgrade) and app/ (our own assemblies, which change with every commit), so a push
# after a code change re-sends only the small layer.
#
# BASE: any image with glibc 2.36+, libstdc++, libgcc_s, OpenSSL 3 and CA certificates.
#   Online: gcr.io/distroless/cc-debian13 (the default).
#   Offline: scripts/images.sh builds localhost/actorsweep-base:trixie from Debian 13 with mmdebstrap.
ARG BASE=gcr.io/distroless/cc-debian13
FROM ${BASE}
COPY runtime/ /app/
COPY app/ /app/
WORKDIR /app
# A numeric non-root user, as the Kubernetes manifests run it (runAsUser 1654); HOME in /tmp, the one
# writable path under readOnlyRootFilesystem.
USER 1654:1654
ENV HOME=/tmp ACTORSWEEP_HOST=0.0.0.0 ACTORSWEEP_API_URLS=http://0.0.0.0:8080
EXPOSE 4053 8080
ENTRYPOINT ["/app/actorsweep-seed"]
CMD ["seed"]
