"""Run untrusted code: a Docker backend with a warm pool and a local process backend."""
