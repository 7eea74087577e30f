# syntax=docker/dockerfile:1
# scim-harness in one image: the conformance suite, the Entra simulator, the Kintone emulator, and Allure 3
# with its Node.js for the HTML report.
#
#   docker run --rm -v "$PWD/reports:/work/reports" IMAGE                     # the suite vs the embedded emulator
#   docker run --rm -e SCIM_HARNESS_TOKEN -v "$PWD/reports:/work/reports" IMAGE \
#       run --target scim --url https://scim.vendor.example/scim/v2 --dialect both
#
# Base images are pinned by tag (bookworm, as the CI jobs); pin them by digest in your own registry if needed.

# Node.js for Allure 3 comes from the official image: Debian bookworm's own nodejs (18) is older than Allure's.
FROM node:24-bookworm-slim AS node

FROM python:3.12-slim-bookworm

# node's runtime library (libstdc++ is not certain to be in the slim Python image); nothing else from apt.
# Not pinned to a version: bookworm's archive keeps only the current one, so a pin would break the build
# at its next security update.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends libstdc++6 \
    && rm -rf /var/lib/apt/lists/*
COPY --from=node /usr/local/bin/node /usr/local/bin/node
COPY --from=node /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/npm

WORKDIR /opt/scim-harness

# Allure 3, exactly as package-lock.json pins it; npm is needed only for this and leaves the image after.
COPY package.json package-lock.json ./
RUN node /usr/local/lib/node_modules/npm/bin/npm-cli.js ci --no-audit --no-fund --loglevel=error \
    && rm -rf /usr/local/lib/node_modules/npm /root/.npm
ENV SCIM_HARNESS_ALLURE=/opt/scim-harness/node_modules/.bin/allure

# The suite, with every dependency held to requirements.lock (not editable: what a vendor installs).
COPY pyproject.toml requirements.lock README.md LICENSE ./
COPY common/ common/
COPY harness/ harness/
COPY simulator/ simulator/
COPY emulator/ emulator/
COPY steps/ steps/
COPY features/ features/
RUN pip install --no-cache-dir --disable-pip-version-check -c requirements.lock . \
    && useradd --create-home --uid 10001 scim \
    && mkdir -p /work/reports \
    && chown -R scim:scim /work

USER 10001
WORKDIR /work
ENV PYTHONUNBUFFERED=1
# Reports go to /work/reports (mount a volume there); the exit code is the run's (0 green, 1 red, 2 not run).
ENTRYPOINT ["scim-harness"]
CMD ["run", "--reports", "/work/reports"]
