# mdmlab server image. Build: docker build -t mdmlab .   (docker-compose.yml uses it)
FROM node:20-bookworm-slim AS build
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY bin ./bin
COPY server ./server
COPY agents ./agents
COPY protocol ./protocol
COPY certs ./certs
COPY scripts ./scripts
COPY scenarios ./scenarios
RUN npm ci && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
COPY --from=build /app /app
ENV NODE_ENV=production MDMLAB_DATA=/data
# The data folder holds the CA key: 0700 (a named volume takes the mode of the image's folder).
RUN mkdir -m 700 /data
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s CMD node -e "fetch('http://127.0.0.1:8080/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["node", "bin/mdmlab.js"]
CMD ["serve", "--port", "8080", "--data", "/data"]
