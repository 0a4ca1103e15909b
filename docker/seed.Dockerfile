# The seed host image: `actorsweep seed` (supervisor singleton, journal, HTTP API, /healthz, /metrics).
# Build from the repository root:  docker build -f docker/seed.Dockerfile -t ghcr.io/actorsweep/seed:0.1.0 .
# Ubuntu 24.04 (noble): its libstdc++ is GCC 14's, which TorchSharp 0.107's native library needs
# (Debian 12 and Ubuntu 22.04 are too old; see README "TorchSharp on Debian 12").
FROM mcr.microsoft.com/dotnet/sdk:10.0-noble AS build
WORKDIR /src
COPY . .
RUN dotnet publish src/Seed -c Release -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0-noble
WORKDIR /app
COPY --from=build /app .
# The image's non-root "app" user (uid 1654), as the Kubernetes manifests expect.
USER app
ENV ACTORSWEEP_HOST=0.0.0.0 ACTORSWEEP_API_URLS=http://0.0.0.0:8080
EXPOSE 4053 8080
ENTRYPOINT ["dotnet", "actorsweep.dll"]
CMD ["seed"]
