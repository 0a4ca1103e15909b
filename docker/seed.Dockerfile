# The seed host image: `actorsweep-seed seed` (supervisor singleton, journal, HTTP API, /healthz,
# /metrics). It carries no TorchSharp or libtorch: src/Seed depends only on the TorchSharp-free
# core (a test checks). Its publish output, measured on 2026-11-30: 703 MB before the split (libtorch
# included), 219 MB after it, 42 MB with -r linux-x64 (native libraries of one platform only).
# Build from the repository root:  docker build -f docker/seed.Dockerfile -t ghcr.io/actorsweep/seed:0.1.0 .
FROM mcr.microsoft.com/dotnet/sdk:10.0-noble AS build
# The platform's native libraries only (SQLite, Skia): x64 or arm64, as the builder targets.
ARG TARGETARCH=amd64
WORKDIR /src
COPY . .
RUN dotnet publish src/Seed -c Release -r linux-$([ "$TARGETARCH" = arm64 ] && echo arm64 || echo x64) --self-contained false -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0-noble
WORKDIR /app
COPY --from=build /app .
# The image's non-root "app" user (uid 1654), as the Kubernetes manifests expect.
USER app
ENV ACTORSWEEP_HOST=0.0.0.0 ACTORSWEEP_API_URLS=http://0.0.0.0:8080
EXPOSE 4053 8080
ENTRYPOINT ["dotnet", "actorsweep-seed.dll"]
CMD ["seed"]
