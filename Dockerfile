# syntax=docker/dockerfile:1
# The inferload image: the release binary for the image's platform, the C libraries `ldd` names for
# it, a non-root user; on scratch, so nothing in it needs Node or Bun (the binary carries its runtime).
# The release workflow builds it for linux/amd64 and linux/arm64 after `npm run build:release`:
#   docker buildx build --platform linux/amd64,linux/arm64 -t inferload .
# scripts/rootfs.sh lays out the tree; scripts/rootfs.test.ts runs a benchmark inside that same tree.

# Runs on the target platform (emulated for arm64), so `ldd` reads the target's own libraries.
FROM debian:12-slim AS rootfs
ARG TARGETARCH
COPY dist/release/inferload-linux-x64 dist/release/inferload-linux-arm64 /release/
COPY scripts/rootfs.sh /rootfs.sh
RUN case "$TARGETARCH" in \
      amd64) asset=inferload-linux-x64 ;; \
      arm64) asset=inferload-linux-arm64 ;; \
      *) echo "No inferload build for $TARGETARCH" >&2; exit 1 ;; \
    esac \
 && sh /rootfs.sh "/release/$asset" /rootfs

FROM scratch
COPY --from=rootfs /rootfs/ /
ENV PATH=/usr/local/bin HOME=/home/nonroot
USER 65532:65532
# Mount configs here (read-only is fine) and pass --output-dir for the reports: see README.
WORKDIR /work
ENTRYPOINT ["inferload"]
