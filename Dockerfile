# Build: the release binary (templates, locales and static files are compiled in).
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked --bin zhianbao

# Run: a slim image with the binary and the CJK font the PDF documents embed.
FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends fonts-noto-cjk \
    && rm -rf /var/lib/apt/lists/* && useradd --system --uid 10001 zhianbao
COPY --from=build /src/target/release/zhianbao /usr/local/bin/zhianbao
USER zhianbao
ENV ZHIANBAO_BIND=0.0.0.0:8080
EXPOSE 8080
ENTRYPOINT ["zhianbao"]
CMD ["serve"]
