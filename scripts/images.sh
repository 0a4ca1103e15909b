#!/usr/bin/env bash
# Builds the container images from this checkout: each host is published self-contained for
# linux-x64 (no .NET in the image) and packaged on a small Debian 13 base.
#
#   scripts/images.sh [--tag TAG] [--registry PREFIX] [--base IMAGE | --offline-base] [--cuda] [--push]
#
#   --tag TAG         image tag (default: dev)
#   --registry PREFIX name prefix: ghcr.io/you gives ghcr.io/you/actorsweep-seed:TAG (default: localhost)
#   --base IMAGE      base image (default: gcr.io/distroless/cc-debian13)
#   --offline-base    build the base here from Debian's packages (mmdebstrap) instead of pulling one:
#                     localhost/actorsweep-base:trixie, about 28 MB
#   --cuda            build only the CUDA worker (actorsweep-worker-cuda); needs TorchSharp-cuda-linux
#                     from nuget.org, which the project's own machines cannot reach
#   --push            push the images after building them
#
# Engine: podman, or docker where podman is absent (CONTAINER_ENGINE overrides). Prints each image
# with its size. Publish output goes to artifacts/images/.
set -euo pipefail
cd "$(dirname "$0")/.."

tag=dev registry=localhost base=gcr.io/distroless/cc-debian13 offline_base=0 cuda=0 push=0
while [ $# -gt 0 ]; do
  case "$1" in
    --tag) tag="$2"; shift 2 ;;
    --registry) registry="${2%/}"; shift 2 ;;
    --base) base="$2"; shift 2 ;;
    --offline-base) offline_base=1; shift ;;
    --cuda) cuda=1; shift ;;
    --push) push=1; shift ;;
    -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "images.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done

engine="${CONTAINER_ENGINE:-$(command -v podman >/dev/null && echo podman || echo docker)}"
command -v "$engine" >/dev/null || { echo "images.sh: neither podman nor docker is installed" >&2; exit 1; }

# The base from Debian 13's packages, unpacked without a package manager (distroless-like): glibc,
# GCC 14's libstdc++ (TorchSharp needs GLIBCXX_3.4.32), OpenSSL 3 (TLS), GSSAPI (.NET's network
# security library loads it for Npgsql, and reports its absence on every start), CA certificates,
# time zones.
# (The extract variant runs extract hooks only: they add what a package manager would have.)
offline_base_image=localhost/actorsweep-base:trixie
build_offline_base() {
  command -v mmdebstrap >/dev/null || { echo "images.sh: --offline-base needs mmdebstrap (apt-get install mmdebstrap)" >&2; exit 1; }
  local tar; tar="$(mktemp -d)/base.tar"
  echo "Building $offline_base_image with mmdebstrap..."
  mmdebstrap --quiet --variant=extract \
    --include=libc6,libgcc-s1,libstdc++6,libssl3t64,libgssapi-krb5-2,ca-certificates,tzdata \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' \
    --extract-hook='cd "$1" && ln -sfn usr/bin bin && ln -sfn usr/sbin sbin && ln -sfn usr/lib lib && ln -sfn usr/lib64 lib64' \
    --extract-hook='mkdir -p "$1/tmp" && chmod 1777 "$1/tmp"' \
    --extract-hook='printf "root:x:0:0:root:/root:/sbin/nologin\napp:x:1654:1654:app:/tmp:/sbin/nologin\n" > "$1/etc/passwd"; printf "root:x:0:\napp:x:1654:\n" > "$1/etc/group"' \
    --extract-hook='mkdir -p "$1/etc/ssl/certs" && cat "$1"/usr/share/ca-certificates/*/*.crt > "$1/etc/ssl/certs/ca-certificates.crt"' \
    --extract-hook='rm -rf "$1"/usr/bin/* "$1"/usr/sbin/* "$1"/var/lib/apt "$1"/var/cache/*' \
    trixie "$tar"
  "$engine" import --quiet "$tar" "$offline_base_image" >/dev/null
  rm -rf "$(dirname "$tar")"
}
if [ "$offline_base" = 1 ]; then
  "$engine" image exists "$offline_base_image" 2>/dev/null || build_offline_base
  base="$offline_base_image"
fi

# Publishes a host into artifacts/images/NAME/{runtime,app}: app/ holds our own files (they change
# with every commit), runtime/ the rest (.NET, packages, native libraries), each a layer of its own.
publish() {
  local project="$1" name="$2"; shift 2
  local out="artifacts/images/$name"
  rm -rf "$out" && mkdir -p "$out/runtime" "$out/app"
  echo "Publishing $project for linux-x64..."
  dotnet publish "$project" -c Release -r linux-x64 --self-contained -nologo -v quiet -o "$out/publish" "$@"
  find "$out/publish" -maxdepth 1 -type f \( -name 'ActorSweep.*' -o -name 'actorsweep-*' \) -exec mv -t "$out/app" {} +
  mv "$out/publish"/* "$out/runtime/" && rmdir "$out/publish"
}

build() {
  local name="$1" dockerfile="$2" image="$registry/$1:$tag"
  "$engine" build --quiet --build-arg "BASE=$base" -f "$dockerfile" -t "$image" "artifacts/images/$name" >/dev/null
  echo "$image $("$engine" image inspect --format '{{.Size}}' "$image" | awk '{ printf "%.0f MB", $1 / 1e6 }')"
  [ "$push" = 0 ] || "$engine" push "$image"
}

if [ "$cuda" = 1 ]; then
  publish src/GpuNode actorsweep-worker-cuda -p:TorchSharpBackend=cuda
  build actorsweep-worker-cuda docker/worker.Dockerfile
else
  publish src/Seed actorsweep-seed
  publish src/GpuNode actorsweep-worker
  build actorsweep-seed docker/seed.Dockerfile
  build actorsweep-worker docker/worker.Dockerfile
fi
