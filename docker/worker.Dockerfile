# The worker image: `actorsweep-worker` (node agent, training actors, /healthz, /metrics).
# CPU:  docker build -f docker/worker.Dockerfile -t ghcr.io/actorsweep/worker:0.1.0 .
# GPU:  docker build -f docker/worker.Dockerfile --build-arg BACKEND=cuda -t ghcr.io/actorsweep/worker-cuda:0.1.0 .
#       (TorchSharp-cuda-linux brings libtorch with its CUDA libraries; the NVIDIA container
#       runtime on the GPU node supplies the driver. Run it with ACTORSWEEP_DEVICE=cuda:0.)
# Ubuntu 24.04 (noble): GCC 14's libstdc++, which TorchSharp 0.107's native library needs.
ARG BACKEND=cpu
FROM mcr.microsoft.com/dotnet/sdk:10.0-noble AS build
ARG BACKEND
WORKDIR /src
COPY . .
RUN dotnet publish src/GpuNode -c Release -o /app -p:TorchSharpBackend=${BACKEND}

FROM mcr.microsoft.com/dotnet/aspnet:10.0-noble
WORKDIR /app
COPY --from=build /app .
USER app
ENV ACTORSWEEP_HOST=0.0.0.0 ACTORSWEEP_HTTP=http://0.0.0.0:8080 ACTORSWEEP_PORT=4053
EXPOSE 4053 8080
ENTRYPOINT ["dotnet", "actorsweep-worker.dll"]
